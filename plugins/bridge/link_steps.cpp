// Kernel-side steps of ADD: the bridge, the veth pair, the host port.
#include <cerrno>

#include "bridge_steps.hpp"
#include "netlib/netlink/bridge_vlan.hpp"
#include "netlib/netlink/mac.hpp"
#include "netlib/sys/sysctl.hpp"

namespace bridge {

using netlib::Code;
using netlib::Expected;
using netlib::fail;
namespace nl = netlib::netlink;

Expected<netlib::netns::Netns> open_container_netns(const netlib::cni::Request& req) {
    return netlib::netns::open_container(req.netns);
}

namespace {

Expected<nl::LinkInfo> verify_bridge(const nl::LinkInfo& l) {
    if (l.kind != "bridge")
        return fail(Code::Conflict, "link \"" + l.name + "\" already exists and is not a bridge (kind \"" +
                                        (l.kind.empty() ? "none" : l.kind) + "\"); choose another \"bridge\" name");
    return l;
}

}  // namespace

Expected<nl::LinkInfo> ensure_bridge(nl::Socket& host, const Config& cfg) {
    auto existing = NETLIB_TRY(nl::get_link(host, cfg.bridge));
    if (!existing) {
        // A fixed MAC keeps the bridge address stable as ports come and go (otherwise the
        // kernel takes the lowest port MAC and neighbours see it change).
        auto made = nl::create_bridge(host, {.name = cfg.bridge, .mtu = cfg.mtu, .mac = nl::random_mac()});
        if (!made && made.error().sys_errno != EEXIST) return std::unexpected(made.error());
        existing = NETLIB_TRY(nl::get_link(host, cfg.bridge));
        if (!existing) return fail(Code::Kernel, "bridge \"" + cfg.bridge + "\" vanished right after creation");
    }
    auto br = NETLIB_TRY(verify_bridge(*existing));
    // Also on an existing bridge found without it: VLAN entries on ports need it to act.
    if (cfg.vlan_filtering()) NETLIB_TRYV(nl::set_bridge_vlan_filtering(host, br.index, true));
    if (cfg.promisc_mode && !(br.flags & IFF_PROMISC)) NETLIB_TRYV(nl::set_promisc(host, br.index, true));
    if (!br.up) NETLIB_TRYV(nl::set_up(host, br.index));
    return br;
}

Expected<VethPair> create_veth_pair(nl::Socket& host, nl::Socket& ctr, const netlib::netns::Netns& ctr_ns,
                                    const Config& cfg, const std::string& ifname) {
    for (int attempt = 0; attempt < 10; ++attempt) {
        std::string host_name = nl::random_name("veth");
        auto made = nl::create_veth(host, {.name = host_name,
                                           .peer_name = ifname,
                                           .peer_netns_fd = ctr_ns.fd(),
                                           .mtu = cfg.mtu,
                                           .peer_mac = cfg.mac});
        if (!made) {
            if (made.error().sys_errno != EEXIST) return std::unexpected(made.error());
            // EEXIST is either our random host name (retry) or the container already has
            // an interface of that name (a runtime error to report, not to retry).
            if (NETLIB_TRY(nl::get_link(ctr, ifname)))
                return fail(Code::Conflict, "interface \"" + ifname + "\" already exists in network namespace " +
                                                ctr_ns.path());
            continue;
        }
        auto h = NETLIB_TRY(nl::get_link(host, host_name));
        auto c = NETLIB_TRY(nl::get_link(ctr, ifname));
        if (!h || !c) return fail(Code::Kernel, "veth pair " + host_name + "/" + ifname + " vanished after creation");
        return VethPair{*h, *c};
    }
    return fail(Code::TryAgain, "could not find a free host veth name after 10 attempts");
}

Expected<> attach_host_veth(nl::Socket& host, const Config& cfg, const nl::LinkInfo& br, const nl::LinkInfo& veth) {
    NETLIB_TRYV(nl::set_master(host, veth.index, br.index));
    if (cfg.hairpin_mode || cfg.port_isolation)
        NETLIB_TRYV(nl::set_bridge_port(host, veth.index, {.hairpin = cfg.hairpin_mode, .isolated = cfg.port_isolation}));
    NETLIB_TRYV(set_port_vlans(host, cfg, veth.index));
    // Router advertisements from the container must not configure the host side. Absent
    // when IPv6 is disabled, which is fine.
    (void)netlib::sys::sysctl_set("net/ipv6/conf/" + veth.name + "/accept_ra", "0");
    return nl::set_up(host, veth.index);
}

}  // namespace bridge
