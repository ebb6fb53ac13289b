#include "bridge_steps.hpp"
#include "netlib/nat/masq.hpp"

namespace bridge {

namespace cni = netlib::cni;

netlib::Expected<PendingMasquerade> PendingMasquerade::start(const Config& cfg, const cni::Request& req,
                                                             const cni::Result& result) {
    PendingMasquerade p;
    p.backend_ = NETLIB_TRY(netlib::nat::make_masq_backend(cfg.ip_masq_backend));
    netlib::nat::MasqRequest m{.network = req.name, .container_id = req.container_id, .ips = {}};
    for (const auto& ip : result.ips) m.ips.push_back(ip.address);
    p.pending_ = NETLIB_TRY(p.backend_->start_add(m));
    return p;
}

netlib::Expected<> del_masquerade(const Config& cfg, const cni::Request& req) {
    // Found by (network, containerID), so this works without the container's addresses:
    // DEL with an empty or vanished CNI_NETNS must not leak rules (the reference does).
    auto backend = NETLIB_TRY(netlib::nat::make_masq_backend(cfg.ip_masq_backend));
    // With the cached result (runtimes pass it to DEL) the backend can go straight for the
    // rules ADD made for those addresses.
    netlib::nat::MasqRequest known{
        .network = req.name, .container_id = req.container_id, .ips = {}};
    if (req.prev_result)
        for (const auto& ip : req.prev_result->ips) known.ips.push_back(ip.address);
    auto r =
        known.ips.empty() ? backend->del(req.name, req.container_id) : backend->del_known(known);
    // The other backend too: the config may have switched backends since ADD. Its errors
    // (e.g. no iptables on an nftables-only host) do not fail the DEL.
    for (const char* other : {"iptables", "nftables"}) {
        if (backend->name() == other) continue;
        if (auto b = netlib::nat::make_masq_backend(other))
            (void)(*b)->del(req.name, req.container_id);
    }
    return r;
}

}  // namespace bridge
