#include "netlib/ifcfg/configure.hpp"

#include <linux/if_addr.h>

#include <algorithm>
#include <cerrno>

#include "netlib/netlink/addr.hpp"
#include "netlib/netlink/link.hpp"
#include "netlib/netlink/route.hpp"
#include "netlib/sys/sysctl.hpp"

namespace netlib::ifcfg {

namespace nl = netlink;

namespace {

bool mine(const cni::IpConfig& c, int index) { return !c.interface || *c.interface == index; }

std::optional<ip::Addr> gateway_for(const cni::Result& r, int index, ip::Family f) {
    for (const auto& c : r.ips)
        if (mine(c, index) && c.gateway && c.gateway->family() == f) return c.gateway;
    return std::nullopt;
}

// IPv6 must be enabled on the link before an address can be added; DAD is skipped unless
// asked for, because waiting for it costs 1-2 s per ADD (plugins#680).
Expected<> prepare_sysctls(const std::string& ifname, bool has_v4, bool has_v6, bool enable_dad) {
    const std::string v4 = "net/ipv4/conf/" + ifname + "/";
    const std::string v6 = "net/ipv6/conf/" + ifname + "/";
    if (has_v4) NETLIB_TRYV(sys::sysctl_set(v4 + "arp_notify", "1"));
    if (!has_v6) return {};
    NETLIB_TRYV(sys::sysctl_set(v6 + "disable_ipv6", "0"));
    NETLIB_TRYV(sys::sysctl_set(v6 + "keep_addr_on_down", "1"));
    if (enable_dad) {
        NETLIB_TRYV(sys::sysctl_set(v6 + "enhanced_dad", "1"));
        NETLIB_TRYV(sys::sysctl_set(v6 + "accept_dad", "1"));
    } else {
        NETLIB_TRYV(sys::sysctl_set(v6 + "accept_dad", "0"));
    }
    return {};
}

nl::RouteSpec route_spec(const cni::Route& rt, const cni::Result& r, int index, int oif) {
    nl::RouteSpec s{.dst = rt.dst.masked(), .gw = rt.gw, .oif = oif};
    if (!s.gw) s.gw = gateway_for(r, index, rt.dst.family());
    s.table = rt.table;
    s.scope = rt.scope;
    s.priority = rt.priority;
    s.mtu = rt.mtu;
    s.advmss = rt.advmss;
    return s;
}

}  // namespace

Expected<> configure(nl::Socket& sock, const std::string& ifname, const cni::Result& r, const Options& opt) {
    auto link = NETLIB_TRY(nl::get_link(sock, ifname));
    if (!link) return fail(Code::Kernel, "interface \"" + ifname + "\" not found in the container");
    bool v4 = false, v6 = false;
    for (const auto& c : r.ips)
        if (mine(c, opt.result_index)) (c.address.addr.is_v4() ? v4 : v6) = true;
    NETLIB_TRYV(prepare_sysctls(ifname, v4, v6, opt.enable_dad));
    for (const auto& c : r.ips) {
        if (!mine(c, opt.result_index)) continue;
        auto added = nl::add_addr(sock, link->index, c.address,
                                  {.nodad = c.address.addr.is_v6() && !opt.enable_dad});
        if (!added && added.error().sys_errno != EEXIST) return added;
    }
    if (opt.leave_down) return {};
    NETLIB_TRYV(nl::set_up(sock, link->index));
    for (const auto& rt : r.routes) {
        // Routes of a family this interface has no address of belong to another interface.
        if ((rt.dst.addr.is_v4() && !v4) || (rt.dst.addr.is_v6() && !v6)) continue;
        auto added = nl::add_route(sock, route_spec(rt, r, opt.result_index, link->index));
        if (!added && added.error().sys_errno != EEXIST)
            return std::unexpected(with_context(added.error(), "route " + rt.dst.str() + " on " + ifname));
    }
    return {};
}

Expected<> verify(nl::Socket& sock, const std::string& ifname, const cni::Result& r, int result_index) {
    auto link = NETLIB_TRY(nl::get_link(sock, ifname));
    if (!link) return fail(Code::CheckFailed, "interface \"" + ifname + "\" not found");
    for (int af : {AF_INET, AF_INET6}) {
        auto have = NETLIB_TRY(nl::list_addrs(sock, link->index, af));
        for (const auto& c : r.ips) {
            if (!mine(c, result_index) || c.address.addr.af() != af) continue;
            if (std::find(have.begin(), have.end(), c.address) == have.end())
                return fail(Code::CheckFailed, "address " + c.address.str() + " missing on " + ifname);
        }
    }
    for (const auto& rt : r.routes) {
        auto routes = NETLIB_TRY(nl::list_routes(sock, rt.dst.addr.af(), rt.table));
        bool found = std::any_of(routes.begin(), routes.end(), [&](const nl::RouteSpec& s) {
            return s.dst == rt.dst.masked() && (!rt.gw || s.gw == rt.gw);
        });
        bool has_family = std::any_of(r.ips.begin(), r.ips.end(), [&](const cni::IpConfig& c) {
            return mine(c, result_index) && c.address.family() == rt.dst.family();
        });
        if (has_family && !found) return fail(Code::CheckFailed, "route " + rt.dst.str() + " missing in the container");
    }
    return {};
}

}  // namespace netlib::ifcfg
