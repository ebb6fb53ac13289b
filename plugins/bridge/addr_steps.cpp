// Address-side steps of ADD: the container interface and the bridge gateway.
#include <algorithm>
#include <cerrno>

#include "bridge_steps.hpp"
#include "netlib/ifcfg/configure.hpp"
#include "netlib/netlink/addr.hpp"
#include "netlib/sys/sysctl.hpp"

namespace bridge {

using netlib::Code;
using netlib::Expected;
using netlib::fail;
namespace cni = netlib::cni;
namespace nl = netlib::netlink;
namespace ip = netlib::ip;

Expected<> configure_container(nl::Socket& ctr, const netlib::netns::Netns& ctr_ns, const Config& cfg,
                               const std::string& ifname, const cni::Result& result) {
    // sysctls are per netns and reached through /proc/sys of the calling thread's netns.
    auto scope = NETLIB_TRY(netlib::netns::Scope::enter(ctr_ns));
    return netlib::ifcfg::configure(ctr, ifname, result,
                                    {.result_index = 2,
                                     .enable_dad = cfg.enable_dad,
                                     .leave_down = cfg.disable_container_interface});
}

namespace {

// One gateway address on the bridge. An existing different address of the same family is
// an error unless forceAddress, as in the reference; parallel ADDs adding the same address
// race harmlessly (EEXIST).
Expected<> ensure_bridge_addr(nl::Socket& host, const Config& cfg, const nl::LinkInfo& br, const ip::Net& gw) {
    auto have = NETLIB_TRY(nl::list_addrs(host, br.index, gw.addr.af()));
    if (std::find(have.begin(), have.end(), gw) != have.end()) return {};
    for (const auto& a : have) {
        // v6 bridges carry link-local and may carry several prefixes; only an address in the
        // same subnet is a conflict there. For v4 any other address conflicts.
        bool conflict = gw.addr.is_v4() ? true : (!a.addr.is_link_local() && a.overlaps(gw));
        if (!conflict) continue;
        if (!cfg.force_address)
            return fail(Code::Conflict, "bridge \"" + br.name + "\" already has an IP address different from " +
                                            gw.str() + " (it has " + a.str() +
                                            "); set \"forceAddress\": true to replace it");
        auto del = nl::del_addr(host, br.index, a);
        if (!del && del.error().sys_errno != EADDRNOTAVAIL) return del;
    }
    auto added = nl::add_addr(host, br.index, gw);
    if (!added && added.error().sys_errno != EEXIST) return added;
    return {};
}

}  // namespace

Expected<> ensure_gateway(nl::Socket& host, const Config& cfg, const nl::LinkInfo& br, const cni::Result& result) {
    bool v4 = false, v6 = false;
    for (const auto& c : result.ips) {
        if (!c.gateway) continue;
        NETLIB_TRYV(ensure_bridge_addr(host, cfg, br, ip::Net{*c.gateway, c.address.prefix}));
        (c.gateway->is_v4() ? v4 : v6) = true;
    }
    if (v4) NETLIB_TRYV(netlib::sys::sysctl_set("net/ipv4/ip_forward", "1"));
    if (v6) NETLIB_TRYV(netlib::sys::sysctl_set("net/ipv6/conf/all/forwarding", "1"));
    return {};
}

}  // namespace bridge
