// Bridge CHECK: verify from prevResult what ADD made, plus IPAM and masquerade state.
#include "bridge_steps.hpp"
#include "netlib/cni/exec.hpp"
#include "netlib/ifcfg/configure.hpp"
#include "netlib/nat/masq.hpp"

namespace bridge {

using netlib::Code;
using netlib::Expected;
using netlib::fail;
namespace cni = netlib::cni;
namespace nl = netlib::netlink;

namespace {

const cni::Interface* find_iface(const cni::Result& r, const std::string& name, bool in_sandbox) {
    for (const auto& i : r.interfaces)
        if (i.name == name && i.sandbox.empty() != in_sandbox) return &i;
    return nullptr;
}

// The host veth is the non-sandbox interface that is not the bridge.
const cni::Interface* find_host_veth(const cni::Result& r, const std::string& bridge) {
    for (const auto& i : r.interfaces)
        if (i.sandbox.empty() && i.name != bridge) return &i;
    return nullptr;
}

Expected<> check_container_side(const cni::Request& req, const Config& cfg, const cni::Result& prev,
                                int& peer_index) {
    const auto* want = find_iface(prev, req.ifname, true);
    if (!want) return fail(Code::InvalidConfig, "prevResult has no interface \"" + req.ifname + "\" in a sandbox");
    auto ns = NETLIB_TRY(open_container_netns(req));
    auto sock = NETLIB_TRY(nl::Socket::open_in(ns));
    auto link = NETLIB_TRY(nl::get_link(sock, req.ifname));
    if (!link) return fail(Code::CheckFailed, "interface \"" + req.ifname + "\" not found in " + req.netns);
    if (link->kind != "veth") return fail(Code::CheckFailed, "interface \"" + req.ifname + "\" is not a veth");
    if (!want->mac.empty() && link->mac != want->mac)
        return fail(Code::CheckFailed, "interface \"" + req.ifname + "\" has MAC " + link->mac + ", expected " + want->mac);
    peer_index = link->link;
    int idx = static_cast<int>(want - prev.interfaces.data());
    auto scope = NETLIB_TRY(netlib::netns::Scope::enter(ns));
    (void)cfg;
    return netlib::ifcfg::verify(sock, req.ifname, prev, idx);
}

Expected<> check_host_side(const Config& cfg, const cni::Result& prev, int peer_index) {
    auto host = NETLIB_TRY(nl::Socket::open());
    auto br = NETLIB_TRY(nl::get_link(host, cfg.bridge));
    if (!br || br->kind != "bridge") return fail(Code::CheckFailed, "bridge \"" + cfg.bridge + "\" not found");
    const auto* hv = find_host_veth(prev, cfg.bridge);
    if (!hv) return fail(Code::InvalidConfig, "prevResult has no host veth interface");
    auto veth = NETLIB_TRY(nl::get_link(host, hv->name));
    if (!veth) return fail(Code::CheckFailed, "host veth \"" + hv->name + "\" not found");
    if (veth->master != br->index)
        return fail(Code::CheckFailed, "host veth \"" + hv->name + "\" is not attached to bridge \"" + cfg.bridge + "\"");
    if (peer_index != 0 && veth->index != peer_index)
        return fail(Code::CheckFailed, "host veth \"" + hv->name + "\" is not the peer of the container interface");
    return check_port_vlans(host, cfg, hv->name, veth->index);
}

}  // namespace

Expected<> cmd_check(const cni::Request& req) {
    auto cfg = NETLIB_TRY(parse_config(req));
    if (!req.prev_result) return fail(Code::InvalidConfig, "CHECK needs a prevResult in the config");
    if (!cfg.ipam_type.empty()) NETLIB_TRYV(cni::delegate(cni::Command::Check, cfg.ipam_type, req));
    int peer_index = 0;
    NETLIB_TRYV(check_container_side(req, cfg, *req.prev_result, peer_index));
    NETLIB_TRYV(check_host_side(cfg, *req.prev_result, peer_index));
    if (cfg.macspoofchk) {
        const auto* hv = find_host_veth(*req.prev_result, cfg.bridge);
        NETLIB_TRYV(check_macspoof(req, hv ? hv->name : std::string{}));
    }
    if (cfg.ip_masq && !req.prev_result->ips.empty()) {
        auto backend = NETLIB_TRY(netlib::nat::make_masq_backend(cfg.ip_masq_backend));
        netlib::nat::MasqRequest m{.network = req.name, .container_id = req.container_id, .ips = {}};
        for (const auto& ip : req.prev_result->ips) m.ips.push_back(ip.address);
        NETLIB_TRYV(backend->check(m));
    }
    return {};
}

}  // namespace bridge
