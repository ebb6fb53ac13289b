#pragma once
// Standard base64 (RFC 4648 §4, '+' '/' with '=' padding), the form Go's encoding/json uses
// for []byte fields such as the "config" of a libcni cache file.
#include <string>
#include <string_view>

#include "netlib/error.hpp"

namespace netlib::sys {

std::string base64_encode(std::string_view data);

// Accepts padded or unpadded input and ignores '\r' and '\n' (line-wrapped encoders).
// Anything else outside the alphabet is a Decode (6) error.
Expected<std::string> base64_decode(std::string_view text);

}  // namespace netlib::sys
