#include "bridge.hpp"

#include "bridge_steps.hpp"
#include "netlib/cni/exec.hpp"
#include "netlib/nat/masq.hpp"

namespace bridge {

namespace cni = netlib::cni;

netlib::Expected<> cmd_status(const cni::Request& req) {
    auto cfg = NETLIB_TRY(parse_config(req));
    if (cfg.ipam_type.empty()) return {};
    return cni::delegate(cni::Command::Status, cfg.ipam_type, req);
}

// GC: masquerade state of attachments the runtime no longer knows, then IPAM's GC. Both run
// even if one fails (the spec: continue on error, report).
netlib::Expected<> cmd_gc(const cni::Request& req) {
    auto cfg = NETLIB_TRY(parse_config(req));
    netlib::Expected<> first;
    if (cfg.ip_masq) {
        std::vector<std::string> valid;
        for (const auto& a : req.valid_attachments) valid.push_back(a.container_id);
        auto backend = netlib::nat::make_masq_backend(cfg.ip_masq_backend);
        first = backend ? (*backend)->gc(req.name, valid) : netlib::Expected<>(std::unexpected(backend.error()));
    }
    if (cfg.macspoofchk) {
        auto r = gc_macspoof(req);
        if (first && !r) first = std::move(r);
    }
    if (!cfg.ipam_type.empty()) {
        auto r = cni::delegate(cni::Command::Gc, cfg.ipam_type, req);
        if (first && !r) first = std::move(r);
    }
    return first;
}

cni::Plugin plugin() {
    return cni::Plugin{
        .about = "netrun bridge plugin: veth pair into a Linux bridge",
        .add = cmd_add,
        .del = cmd_del,
        .check = cmd_check,
        .status = cmd_status,
        .gc = cmd_gc,
        .known_args = {"MAC", "IP", "GATEWAY"},
    };
}

}  // namespace bridge
