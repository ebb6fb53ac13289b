#pragma once
// The link attributes tuning changes that netlib's link.hpp does not cover: the all-multicast
// flag and the transmit queue length (IFLA_TXQLEN, not part of LinkInfo).
#include <cstdint>

#include "netlib/error.hpp"
#include "netlib/netlink/socket.hpp"

namespace tuning {

netlib::Expected<> set_allmulti(netlib::netlink::Socket& s, int index, bool on);
netlib::Expected<> set_txqlen(netlib::netlink::Socket& s, int index, std::uint32_t qlen);
netlib::Expected<std::uint32_t> get_txqlen(netlib::netlink::Socket& s, int index);

}  // namespace tuning
