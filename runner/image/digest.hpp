#pragma once
// SHA-256 content digests ("sha256:<hex>"), the identity of layers and images.
#include <span>
#include <string>
#include <string_view>

#include "netlib/error.hpp"

namespace netrun::image {

// Lowercase hex (64 characters) of the SHA-256 of data.
std::string sha256_hex(std::span<const unsigned char> data);
std::string sha256_hex(std::string_view data);
// Same for a file's contents, streamed.
netlib::Expected<std::string> sha256_file_hex(const std::string& path);

// "sha256:<64 hex>" -> "<64 hex>"; anything else (other algorithms, bad hex) is an error,
// since the hex becomes a path component.
netlib::Expected<std::string> digest_hex(std::string_view digest);

}  // namespace netrun::image
