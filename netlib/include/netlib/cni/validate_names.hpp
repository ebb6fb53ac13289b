#pragma once
#include <string_view>

#include "netlib/error.hpp"

namespace netlib::cni {

// A Linux interface name from config (e.g. "bridge": "cni0"): 1..15 chars, no '/', ':' or
// whitespace. `key` names the config key in the error.
Expected<> validate_link_name(std::string_view name, std::string_view key);

// A CNI network name: letters, digits, '_', '.', '-', starting with a letter or digit (code 7).
Expected<> validate_network_name(std::string_view name);

}  // namespace netlib::cni
