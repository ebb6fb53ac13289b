#pragma once
// Shared between the link builders and the link operations; not part of the API.
#include <linux/rtnetlink.h>

#include <string>

#include "netlib/netlink/socket.hpp"

namespace netlib::netlink::detail {

inline ifinfomsg* put_ifinfo(Message& m, int index, int family = AF_UNSPEC) {
    auto* ifi = m.put_header<ifinfomsg>();
    ifi->ifi_family = static_cast<unsigned char>(family);
    ifi->ifi_index = index;
    return ifi;
}

// Empty text = leave the address to the kernel; bad text makes the message unsendable.
void put_mac(Message& m, std::uint16_t type, const std::string& mac);

}  // namespace netlib::netlink::detail
