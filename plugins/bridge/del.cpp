// Bridge DEL: best effort and idempotent. Every step runs even when an earlier resource is
// already gone (netns deleted, link missing, lease released); the first real error is
// reported after all steps had their chance.
#include <cerrno>
#include <optional>

#include "bridge_steps.hpp"
#include "netlib/cni/exec.hpp"
#include "netlib/netlink/link.hpp"

namespace bridge {

namespace cni = netlib::cni;
namespace nl = netlib::netlink;

namespace {

// Deleting the container end removes the pair; the host end has a random name we do not
// need to know.
netlib::Expected<> delete_container_link(const cni::Request& req) {
    if (req.netns.empty()) return {};
    auto ns = netlib::netns::Netns::open(req.netns);
    if (!ns) return {};  // the namespace is gone, and with it the veth
    auto sock = NETLIB_TRY(nl::Socket::open_in(*ns));
    auto link = NETLIB_TRY(nl::get_link(sock, req.ifname));
    if (!link) return {};
    auto r = nl::delete_link(sock, link->index);
    if (!r && r.error().sys_errno == ENODEV) return {};
    return r;
}

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
    keep_first(first, delete_container_link(req));
    if (ipam_run) {
        auto r = ipam_run->wait();
        keep_first(first, r ? netlib::Expected<>{} : netlib::Expected<>(std::unexpected(r.error())));
    }
    if (cfg.macspoofchk) keep_first(first, del_macspoof(req));
    if (cfg.ip_masq) keep_first(first, del_masquerade(cfg, req));
    return first;
}

}  // namespace bridge
