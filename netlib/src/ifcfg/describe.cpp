#include "netlib/ifcfg/describe.hpp"

#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "netlib/netlink/addr.hpp"
#include "netlib/netlink/link.hpp"
#include "netlib/netlink/route.hpp"

namespace netlib::ifcfg {

namespace nl = netlink;

Expected<cni::Result> describe(nl::Socket& sock, const std::string& sandbox) {
    cni::Result r;
    auto links = NETLIB_TRY(nl::list_links(sock));
    for (const auto& l : links) {
        if (l.flags & IFF_LOOPBACK) continue;
        int idx = static_cast<int>(r.interfaces.size());
        r.interfaces.push_back({.name = l.name, .mac = l.mac, .mtu = static_cast<int>(l.mtu), .sandbox = sandbox});
        for (int family : {AF_INET, AF_INET6}) {
            auto addrs = NETLIB_TRY(nl::list_addrs(sock, l.index, family));
            for (const auto& a : addrs)
                if (!a.addr.is_link_local()) r.ips.push_back({.address = a, .gateway = {}, .interface = idx});
        }
    }
    for (int family : {AF_INET, AF_INET6}) {
        auto routes = NETLIB_TRY(nl::list_routes(sock, family, RT_TABLE_MAIN));
        for (const auto& rt : routes) {
            if (rt.dst.prefix != 0 || !rt.gw) continue;
            r.routes.push_back({.dst = rt.dst, .gw = rt.gw});
            // The default gateway belongs to the address of the same family on that link.
            for (auto& ip : r.ips)
                if (ip.address.family() == rt.gw->family() && !ip.gateway && ip.address.contains(*rt.gw)) ip.gateway = rt.gw;
        }
    }
    return r;
}

}  // namespace netlib::ifcfg
