#pragma once
#include <vector>

#include "netlib/error.hpp"
#include "netlib/ip/addr.hpp"
#include "netlib/netlink/socket.hpp"

namespace netlib::netlink {

struct AddrOptions {
    bool nodad = false;  // IPv6: usable at once, no duplicate address detection
};

Message addr_message(std::uint16_t type, int index, const ip::Net& addr, const AddrOptions& opt = {});

// EEXIST -> Error::sys_errno == EEXIST.
Expected<> add_addr(Socket& s, int index, const ip::Net& addr, const AddrOptions& opt = {});
// EADDRNOTAVAIL when the address is not there.
Expected<> del_addr(Socket& s, int index, const ip::Net& addr);
// Addresses of one family (AF_INET / AF_INET6) on the link, with their prefix length.
Expected<std::vector<ip::Net>> list_addrs(Socket& s, int index, int family);

}  // namespace netlib::netlink
