#include <algorithm>

#include "config.hpp"
#include "netlib/cni/result_json.hpp"
#include "netlib/nat/port_owners.hpp"
#include "netlib/sys/undo.hpp"
#include "portmap.hpp"
#include "steps.hpp"

namespace portmap {

using netlib::Code;
using netlib::Expected;
using netlib::fail;
namespace cni = netlib::cni;
namespace nat = netlib::nat;

namespace {

bool any_udp(std::span<const nat::PortMapping> maps) {
    return std::any_of(maps.begin(), maps.end(), [](const auto& m) { return m.protocol == "udp"; });
}

// Removes a container's rules and then its port records. The config's backend may have
// changed since ADD, so the one ADD used comes from the record.
// known: what ADD was given, when DEL has it (cached result and mappings); else (GC, a DEL
// without them) the backends look the container's rules up.
Expected<> teardown(nat::PortOwners& owners, const nat::Owner& owner,
                    const nat::PortmapRequest* known = nullptr) {
    // No record, no rules of ours (records are written first): a DEL of a container that
    // published nothing costs no iptables-save.
    if (!owners.recorded(owner)) return {};
    Expected<> first;
    // The backend ADD recorded, if any (saves the other backend's reads); else all of them.
    const std::string used = owners.backend_of(owner);
    for (auto& b : nat::all_portmap_backends()) {
        if (!used.empty() && b->name() != used) continue;
        auto r = known ? b->del_known(*known) : b->del(owner.network, owner.container_id);
        if (first && !r) first = std::move(r);
    }
    // Records go only once the rules are gone: a record without rules is harmless, a rule
    // without a record would escape the conflict check.
    if (first) return owners.release(owner);
    return first;
}

Expected<cni::Result> cmd_add(const cni::Request& req) {
    auto cfg = NETLIB_TRY(parse_config(req));
    if (!req.prev_result)
        return fail(Code::InvalidConfig,
                    "portmap must be chained after a plugin that returns addresses "
                    "(no prevResult in the config)");
    const auto pm = make_request(cfg, req);
    if (pm.mappings.empty()) return *req.prev_result;
    auto backend = NETLIB_TRY(nat::make_portmap_backend(cfg.backend));
    auto owners = NETLIB_TRY(nat::PortOwners::open());
    const nat::Owner owner{req.name, req.container_id};
    netlib::sys::UndoStack undo;
    // Re-ADD with another backend: the old one's rules must not outlive its record.
    if (auto prev = owners.backend_of(owner); !prev.empty() && prev != backend->name())
        for (auto& b : nat::all_portmap_backends())
            if (b->name() == prev) NETLIB_TRYV(b->del(owner.network, owner.container_id));
    // The rule writing starts up (iptables: its processes) while the ports are recorded;
    // no rule is written before the records are (a rule without a record would escape the
    // conflict check and DEL).
    auto pending = NETLIB_TRY(backend->start_add(pm));
    NETLIB_TRYV(owners.claim(owner, pm.mappings, backend->name()));
    undo.push([&] { (void)owners.release(owner); });
    undo.push([&] { (void)backend->del(owner.network, owner.container_id); });
    if (cfg.snat && !cfg.masq_all && pm.target(netlib::ip::Family::V4))
        NETLIB_TRYV(enable_route_localnet(*req.prev_result));
    NETLIB_TRYV(pending->finish());
    if (any_udp(pm.mappings)) NETLIB_TRYV(flush_udp_conntrack(pm.mappings));
    undo.dismiss();
    return *req.prev_result;
}

Expected<> cmd_del(const cni::Request& req) {
    auto cfg = NETLIB_TRY(parse_config(req));
    auto owners = NETLIB_TRY(nat::PortOwners::open());
    std::optional<nat::PortmapRequest> known;
    if (req.prev_result && !cfg.mappings.empty()) known = make_request(cfg, req);
    NETLIB_TRYV(
        teardown(owners, nat::Owner{req.name, req.container_id}, known ? &*known : nullptr));
    if (any_udp(cfg.mappings)) NETLIB_TRYV(flush_udp_conntrack(cfg.mappings));
    return {};
}

Expected<> cmd_check(const cni::Request& req) {
    auto cfg = NETLIB_TRY(parse_config(req));
    if (!req.prev_result)
        return fail(Code::InvalidConfig, "CHECK needs a prevResult in the config");
    const auto pm = make_request(cfg, req);
    if (pm.mappings.empty()) return {};
    auto backend = NETLIB_TRY(nat::make_portmap_backend(cfg.backend));
    return backend->check(pm);
}

Expected<> cmd_gc(const cni::Request& req) {
    NETLIB_TRYV(parse_config(req));
    std::vector<std::string> valid;
    for (const auto& a : req.valid_attachments) valid.push_back(a.container_id);
    auto owners = NETLIB_TRY(nat::PortOwners::open());
    Expected<> first;
    for (const auto& o : NETLIB_TRY(owners.owners(req.name))) {
        if (std::find(valid.begin(), valid.end(), o.container_id) != valid.end()) continue;
        auto r = teardown(owners, o);
        if (first && !r) first = std::move(r);
    }
    // Rules without records (made by another implementation, or records lost).
    for (auto& b : nat::all_portmap_backends()) {
        auto r = b->gc(req.name, valid);
        if (first && !r) first = std::move(r);
    }
    return first;
}

}  // namespace

cni::Plugin plugin() {
    return cni::Plugin{
        .about = "netrun portmap plugin: publish container ports on the host",
        .add = cmd_add,
        .del = cmd_del,
        .check = cmd_check,
        .status = {},
        .gc = cmd_gc,
        .known_args = {},
    };
}

}  // namespace portmap
