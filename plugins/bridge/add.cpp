// Bridge ADD as named steps over one Config: IPAM || veth -> (masquerade || ensure bridge ->
// container side -> gateway) -> Result. Each step that creates something arms an undo
// right away; the UndoStack is dismissed only when the whole ADD succeeded.
#include <cerrno>
#include <optional>

#include "bridge_steps.hpp"
#include "netlib/cni/exec.hpp"
#include "netlib/ifcfg/configure.hpp"
#include "netlib/netlink/link.hpp"
#include "netlib/netns/netns.hpp"
#include "netlib/sys/sysctl.hpp"
#include "netlib/sys/undo.hpp"

namespace bridge {

using netlib::Code;
using netlib::Expected;
using netlib::fail;
namespace cni = netlib::cni;
namespace nl = netlib::netlink;

namespace {

// The IPAM plugin must hand out something we can configure.
Expected<> validate_ipam_result(const Config& cfg, const cni::Result& r) {
    if (r.ips.empty())
        return fail(Code::InvalidConfig, "IPAM plugin " + cfg.ipam_type + " returned no IP addresses");
    return {};
}

void merge_ipam_result(cni::Result& out, cni::Result ipam, const Config& cfg) {
    for (auto& ip : ipam.ips) ip.interface = 2;  // [bridge, host veth, container]
    out.ips = std::move(ipam.ips);
    out.routes = std::move(ipam.routes);
    out.dns = cfg.dns.empty() ? std::move(ipam.dns) : cfg.dns;
}

// isDefaultGateway: a default route via the bridge gateway for each family that got an
// address with a gateway, unless IPAM already supplied one.
void add_default_routes(cni::Result& r) {
    for (const auto& ip : r.ips) {
        if (!ip.gateway) continue;
        auto fam = ip.address.family();
        bool have = false;
        for (const auto& rt : r.routes)
            have |= rt.dst.prefix == 0 && rt.dst.family() == fam;
        if (!have) r.routes.push_back({.dst = netlib::ip::Net{netlib::ip::Addr::zero(fam), 0}, .gw = ip.gateway});
    }
}

}  // namespace

Expected<cni::Result> cmd_add(const cni::Request& req) {
    auto cfg = NETLIB_TRY(parse_config(req));
    auto ctr_ns = NETLIB_TRY(open_container_netns(req));
    auto host = NETLIB_TRY(nl::Socket::open());
    auto ctr = NETLIB_TRY(nl::Socket::open_in(ctr_ns));
    netlib::sys::UndoStack undo;

    // IPAM runs in its own process while the kernel creates the veth (the slowest kernel
    // step); nothing shared (the bridge) is touched until IPAM has succeeded, so a bad range
    // or an exhausted pool leaves no trace.
    std::optional<cni::PendingPlugin> ipam_run;
    if (!cfg.ipam_type.empty()) ipam_run.emplace(NETLIB_TRY(cni::start_delegate(cni::Command::Add, cfg.ipam_type, req)));
    cni::Result result;
    std::optional<PendingMasquerade> masq;
    // The addresses are known: the lease's undo is armed and the masquerade started.
    auto take_ipam_result = [&]() -> Expected<> {
        if (ipam_run) {
            auto ipam = NETLIB_TRY(cni::finish_delegate_add(*ipam_run, cfg.ipam_type));
            // A lease exists from here on; give it back if anything later fails.
            undo.push([&req, &cfg] { (void)cni::delegate(cni::Command::Del, cfg.ipam_type, req); });
            NETLIB_TRYV(validate_ipam_result(cfg, ipam));
            merge_ipam_result(result, std::move(ipam), cfg);
            if (cfg.is_default_gateway) add_default_routes(result);
        } else {
            result.dns = cfg.dns;
        }
        if (cfg.ip_masq && !result.ips.empty()) {
            masq.emplace(NETLIB_TRY(PendingMasquerade::start(cfg, req, result)));
            // Armed before it is done: a failure in between stops it wherever it got to.
            undo.push([&cfg, &req] { (void)del_masquerade(cfg, req); });
        }
        return {};
    };
    // An in-process IPAM has answered already; then the masquerade overlaps the veth too.
    const bool answered = !ipam_run || ipam_run->finished();
    if (answered) NETLIB_TRYV(take_ipam_result());
    auto veth = NETLIB_TRY(create_veth_pair(host, ctr, ctr_ns, cfg, req.ifname));
    undo.push([&host, idx = veth.host.index] { (void)nl::delete_link(host, idx); });
    if (!answered) NETLIB_TRYV(take_ipam_result());

    // The bridge is shared by every container of the network and is kept once created
    // (removing it on rollback would race with parallel ADDs attaching to it).
    auto br = NETLIB_TRY(ensure_bridge(host, cfg));
    NETLIB_TRYV(attach_host_veth(host, cfg, br, veth.host));
    if (cfg.macspoofchk) {
        NETLIB_TRYV(add_macspoof(req, veth.host.name, veth.container.mac));
        undo.push([&req] { (void)del_macspoof(req); });
    }
    result.interfaces = {{.name = br.name, .mac = br.mac},
                         {.name = veth.host.name, .mac = veth.host.mac},
                         {.name = req.ifname, .mac = veth.container.mac, .sandbox = req.netns}};

    NETLIB_TRYV(configure_container(ctr, ctr_ns, cfg, req.ifname, result));
    if (cfg.is_gateway) NETLIB_TRYV(ensure_gateway(host, cfg, br, result));
    if (masq) NETLIB_TRYV(masq->finish());
    undo.dismiss();
    return result;
}

}  // namespace bridge
