// Bridge DEL: best effort and idempotent. Every step runs even when an earlier resource is
// already gone (netns deleted, link missing, lease released); the first real error is
// reported after all steps had their chance.
#include <optional>

#include "bridge_steps.hpp"
#include "netlib/cni/exec.hpp"
#include "netlib/netlink/link.hpp"
#include "netlib/sublink/sublink.hpp"

namespace bridge {

namespace cni = netlib::cni;
namespace nl = netlib::netlink;

namespace {

void keep_first(netlib::Expected<>& first, netlib::Expected<> r) {
    if (first && !r) first = std::move(r);
}

}  // namespace

netlib::Expected<> cmd_del(const cni::Request& req) {
    auto cfg = NETLIB_TRY(parse_config(req));
    netlib::Expected<> first;
    // The kernel's veth teardown is the slowest part of DEL (~18 ms here); IPAM's DEL runs
    // in its own process meanwhile.
    std::optional<cni::PendingPlugin> ipam_run;
    if (!cfg.ipam_type.empty()) {
        auto started = cni::start_delegate(cni::Command::Del, cfg.ipam_type, req);
        if (started) ipam_run.emplace(std::move(*started));
        else keep_first(first, std::unexpected(started.error()));
    }
    // Deleting the container end removes the pair; the host end's random name is not needed.
    keep_first(first, netlib::sublink::delete_container_link(req.netns, req.ifname));
    if (ipam_run) {
        auto r = ipam_run->wait();
        keep_first(first, r ? netlib::Expected<>{} : netlib::Expected<>(std::unexpected(r.error())));
    }
    if (cfg.macspoofchk) keep_first(first, del_macspoof(req));
    if (cfg.ip_masq) keep_first(first, del_masquerade(cfg, req));
    return first;
}

}  // namespace bridge
