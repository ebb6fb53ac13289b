#pragma once
#include <optional>
#include <vector>

#include "netlib/error.hpp"
#include "netlib/ip/addr.hpp"
#include "netlib/netlink/socket.hpp"

namespace netlib::netlink {

struct RouteSpec {
    ip::Net dst;  // masked; prefix 0 = default route
    std::optional<ip::Addr> gw;
    int oif = 0;
    std::optional<int> table;  // default main
    std::optional<int> scope;  // add: link without gw, universe with gw; delete: any
    std::optional<int> priority;
    std::optional<int> mtu;
    std::optional<int> advmss;
    std::optional<ip::Addr> src;
};

Message route_message(std::uint16_t type, std::uint16_t flags, const RouteSpec& r);

// EEXIST -> Error::sys_errno == EEXIST.
Expected<> add_route(Socket& s, const RouteSpec& r);
Expected<> replace_route(Socket& s, const RouteSpec& r);
// ESRCH when no such route.
Expected<> del_route(Socket& s, const RouteSpec& r);
// Routes of a family in a table (default main).
Expected<std::vector<RouteSpec>> list_routes(Socket& s, int family, std::optional<int> table = {});

}  // namespace netlib::netlink
