#pragma once
#include <span>
#include <string>
#include <string_view>

#include "netlib/error.hpp"

namespace netlib::cni {

// Versions our plugins speak (spec 1.1.0 back to 0.3.0).
std::span<const std::string_view> supported_versions();
inline constexpr std::string_view kLatestVersion = "1.1.0";

// Semantic comparison of "a.b.c" strings; malformed strings are an error (code 6).
Expected<int> compare_versions(std::string_view a, std::string_view b);
bool is_supported(std::string_view v);
// True when v >= "x.y.z" (v already validated).
bool at_least(std::string_view v, std::string_view min);

}  // namespace netlib::cni
