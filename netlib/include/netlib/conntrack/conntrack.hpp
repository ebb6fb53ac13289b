#pragma once
// Conntrack entries through ctnetlink (libmnl), in the current network namespace.
#include <cstdint>

#include "netlib/error.hpp"
#include "netlib/ip/addr.hpp"

namespace netlib::conntrack {

// Deletes every entry of family f whose original direction is protocol `l4proto` (IPPROTO_*)
// to destination port `port`. Entries vanishing meanwhile are fine. Costs one dump of the
// family's table: the kernel offers no port-filtered flush.
Expected<> delete_by_dst_port(ip::Family f, std::uint8_t l4proto, std::uint16_t port);

}  // namespace netlib::conntrack
