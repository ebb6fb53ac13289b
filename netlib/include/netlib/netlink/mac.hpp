#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace netlib::netlink {

using Mac = std::array<std::uint8_t, 6>;

std::optional<Mac> parse_mac(std::string_view text);
std::string format_mac(const std::uint8_t* bytes, std::size_t len);
// Random locally administered unicast MAC, as text.
std::string random_mac();
// prefix + 8 random hex digits (e.g. "veth1a2b3c4d"), from getrandom().
std::string random_name(std::string_view prefix);

}  // namespace netlib::netlink
