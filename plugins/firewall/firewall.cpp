// firewall: a chained plugin that lets forwarded traffic reach the container's addresses
// (reference-compatible iptables chains), with optional bridge isolation (ingressPolicy).
// Stateless: the rules are derived from prevResult on every command, as in the reference.
#include "firewall.hpp"

#include "config.hpp"
#include "iptables_backend.hpp"
#include "nft_backend.hpp"

namespace firewall {

using netlib::Code;
using netlib::Expected;
using netlib::fail;
namespace cni = netlib::cni;

namespace {

Expected<Target> target_of(const cni::Request& req, const Config& cfg) {
    if (!req.prev_result)
        return fail(
            Code::InvalidConfig,
            "firewall must be chained after a plugin that returns a result (no prevResult)");
    Target t;
    for (const auto& ip : req.prev_result->ips) t.ips.push_back(ip.address.addr);
    if (cfg.ingress != IngressPolicy::Open) {
        if (req.prev_result->interfaces.empty() || req.prev_result->interfaces[0].name.empty())
            return fail(Code::InvalidConfig,
                        "ingressPolicy needs the bridge as prevResult interfaces[0]: chain "
                        "firewall after \"bridge\"");
        t.bridge = req.prev_result->interfaces[0].name;
    }
    return t;
}

Expected<cni::Result> add(const cni::Request& req) {
    auto cfg = NETLIB_TRY(parse_config(req));
    auto t = NETLIB_TRY(target_of(req, cfg));
    if (cfg.backend == Backend::Nftables) {
        NETLIB_TRYV(
            NftBackend(req.container_id, req.ifname).add(t));  // one transaction: nothing to undo
        return *req.prev_result;
    }
    IptablesBackend backend(cfg);
    // Each family is one atomic batch; if a later family fails, take back the earlier one's
    // per-container rules (the shared chains and jumps stay, as after any DEL).
    if (auto r = backend.add(t); !r) {
        (void)backend.del(t);
        return std::unexpected(r.error());
    }
    return *req.prev_result;
}

Expected<> del(const cni::Request& req) {
    auto cfg = NETLIB_TRY(parse_config(req));
    if (cfg.backend == Backend::Nftables) return NftBackend(req.container_id, req.ifname).del();
    if (!req.prev_result) return {};    // nothing tells us which rules were ours
    cfg.ingress = IngressPolicy::Open;  // isolation chains are shared by every bridge: kept
    return IptablesBackend(cfg).del(NETLIB_TRY(target_of(req, cfg)));
}

Expected<> check(const cni::Request& req) {
    auto cfg = NETLIB_TRY(parse_config(req));
    auto t = NETLIB_TRY(target_of(req, cfg));
    if (cfg.backend == Backend::Nftables) return NftBackend(req.container_id, req.ifname).check(t);
    return IptablesBackend(cfg).check(t);
}

// Only the nftables backend can tell attachments apart without prevResult; the iptables
// rules carry no owner, as in the reference, so GC leaves them alone.
Expected<> gc(const cni::Request& req) {
    auto cfg = NETLIB_TRY(parse_config(req));
    if (cfg.backend != Backend::Nftables) return {};
    return NftBackend::gc(req.valid_attachments);
}

}  // namespace

cni::Plugin plugin() {
    return cni::Plugin{.about = "netrun firewall plugin",
                       .add = add,
                       .del = del,
                       .check = check,
                       .status = {},
                       .gc = gc,
                       .known_args = {}};
}

}  // namespace firewall
