// discover_parent: what the parent of a generated macvlan/ipvlan network carries, read
// through netlink in the current netns.
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "net/sublink_network.hpp"
#include "netlib/netlink/addr.hpp"
#include "netlib/netlink/link.hpp"
#include "netlib/netlink/route.hpp"

namespace netrun::net {

using netlib::Code;
using netlib::Expected;
using netlib::fail;
namespace nl = netlib::netlink;

namespace {

Expected<std::vector<nl::RouteSpec>> ipv4_default_routes(nl::Socket& s) {
    std::vector<nl::RouteSpec> out;
    for (auto& r : NETLIB_TRY(nl::list_routes(s, AF_INET, RT_TABLE_MAIN)))
        if (r.dst.prefix == 0 && r.oif > 0) out.push_back(std::move(r));
    return out;
}

}  // namespace

Expected<ParentLink> find_parent_link(std::string_view name) {
    auto sock = NETLIB_TRY(nl::Socket::open());
    auto defaults = NETLIB_TRY(ipv4_default_routes(sock));
    std::optional<nl::LinkInfo> link;
    if (name.empty()) {
        if (defaults.empty())
            return fail(Code::InvalidConfig,
                        "no parent interface given and there is no IPv4 default route to take it "
                        "from; name one "
                        "(macvlan:eth0)");
        link = NETLIB_TRY(nl::get_link(sock, defaults.front().oif));
        if (!link) return fail(Code::Kernel, "the default route's interface vanished");
    } else {
        link = NETLIB_TRY(nl::get_link(sock, std::string(name)));
        if (!link)
            return fail(Code::InvalidConfig,
                        "parent interface \"" + std::string(name) + "\" does not exist");
    }
    ParentLink p{.name = link->name, .address = std::nullopt, .gateway = std::nullopt};
    for (const auto& a : NETLIB_TRY(nl::list_addrs(sock, link->index, AF_INET)))
        if (!a.addr.is_loopback() && !a.addr.is_link_local()) {
            p.address = a;
            break;
        }
    for (const auto& r : defaults)
        if (r.oif == link->index && r.gw) {
            p.gateway = r.gw;
            break;
        }
    return p;
}

Expected<ParentInfo> discover_parent(std::string_view name) {
    auto link = NETLIB_TRY(find_parent_link(name));
    if (!link.address)
        return fail(Code::InvalidConfig,
                    "parent interface \"" + link.name +
                        "\" has no IPv4 address to take the containers' subnet from");
    return ParentInfo{.name = link.name, .address = *link.address, .gateway = link.gateway};
}

}  // namespace netrun::net
