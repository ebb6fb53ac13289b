#pragma once
// sysctl through /proc/sys of the *current* network namespace (net.* keys are per netns).
#include <string>
#include <string_view>

#include "netlib/error.hpp"

namespace netlib::sys {

// key in dotted form ("net.ipv4.ip_forward") or slash form ("net/ipv4/ip_forward").
Expected<std::string> sysctl_get(std::string_view key);
// Writes only when the value differs (a read is cheaper than a write that triggers work).
Expected<> sysctl_set(std::string_view key, std::string_view value);

}  // namespace netlib::sys
