#include "ipam/allocator.hpp"

#include <string>

#include "netlib/sys/undo.hpp"

namespace ipam {

using netlib::Code;
using netlib::fail;
namespace cni = netlib::cni;

namespace {
std::string set_name(std::size_t i, const RangeSet& s) {
    return "range set " + std::to_string(i) + " (" + s.str() + ")";
}
std::string who_str(const Attachment& a) {
    return "container " + a.container_id + " interface " + a.ifname;
}
}  // namespace

Expected<std::vector<std::optional<ip::Addr>>> Allocator::assign_requested(
    std::span<const ip::Addr> requested) const {
    std::vector<std::optional<ip::Addr>> per_set(sets_.size());
    for (const auto& a : requested) {
        std::size_t i = 0;
        while (i < sets_.size() && !sets_[i].contains(a)) ++i;
        if (i == sets_.size()) {
            std::string all;
            for (std::size_t k = 0; k < sets_.size(); ++k)
                all += (k ? "; " : "") + set_name(k, sets_[k]);
            return fail(Code::InvalidConfig,
                        "requested IP " + a.str() + " is not in any range: " + all);
        }
        if (per_set[i])
            return fail(Code::InvalidConfig,
                        "requested IPs " + per_set[i]->str() + " and " + a.str() + " are both in " +
                            set_name(i, sets_[i]) +
                            "; only one address per range set can be requested");
        if (a == sets_[i].range_for(a)->gateway)
            return fail(Code::AddressConflict,
                        "requested IP " + a.str() + " is the gateway of " + set_name(i, sets_[i]));
        per_set[i] = a;
    }
    return per_set;
}

Expected<> Allocator::check_duplicate(const Attachment& who) const {
    auto held = NETLIB_TRY(store_.held_fast(who));
    for (const auto& a : held)
        for (std::size_t i = 0; i < sets_.size(); ++i)
            if (sets_[i].contains(a))
                return fail(Code::AddressConflict,
                            a.str() + " has been allocated to " + who_str(who) + " in " +
                                set_name(i, sets_[i]) +
                                ", duplicate allocation is not allowed (DEL the attachment first)");
    return {};
}

Expected<cni::IpConfig> Allocator::take(std::size_t set, const Attachment& who,
                                        const std::optional<ip::Addr>& requested) {
    const RangeSet& rs = sets_[set];
    if (requested) {
        if (!NETLIB_TRY(store_.reserve(*requested, who)))
            return fail(Code::AddressConflict, "requested IP address " + requested->str() +
                                                   " is already allocated in " + set_name(set, rs));
        const Range& r = *rs.range_for(*requested);
        return cni::IpConfig{ip::Net{*requested, r.subnet.prefix}, r.gateway, std::nullopt};
    }
    Cursor cur(rs, NETLIB_TRY(store_.last_reserved(set)));
    while (auto pos = cur.next()) {
        if (!NETLIB_TRY(store_.reserve(pos->addr, who))) continue;
        const Range& r = rs.ranges[pos->range];
        return cni::IpConfig{ip::Net{pos->addr, r.subnet.prefix}, r.gateway, std::nullopt};
    }
    return fail(Code::AddressExhausted, "no IP addresses available in " + set_name(set, rs));
}

Expected<std::vector<cni::IpConfig>> Allocator::allocate(const Attachment& who,
                                                         std::span<const ip::Addr> requested) {
    auto per_set = NETLIB_TRY(assign_requested(requested));
    NETLIB_TRYV(check_duplicate(who));
    netlib::sys::UndoStack undo;
    std::vector<cni::IpConfig> out;
    std::vector<ip::Addr> addrs;
    for (std::size_t i = 0; i < sets_.size(); ++i) {
        auto c = take(i, who, per_set[i]);
        if (!c)
            return std::unexpected(netlib::with_context(c.error(), "allocate for " + who_str(who)));
        undo.push([this, a = c->address.addr] { (void)store_.release(a); });
        addrs.push_back(c->address.addr);
        out.push_back(*c);
    }
    // Round-robin positions are hints: failing to record one costs fairness, not correctness,
    // but an error here means the store is unwell, so report it rather than hide it.
    for (std::size_t i = 0; i < sets_.size(); ++i)
        NETLIB_TRYV(store_.set_last_reserved(i, addrs[i]));
    NETLIB_TRYV(store_.remember(who, addrs));
    undo.dismiss();
    return out;
}

Expected<std::vector<std::size_t>> Allocator::exhausted() {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < sets_.size(); ++i) {
        Cursor cur(sets_[i], NETLIB_TRY(store_.last_reserved(i)));
        bool free = false;
        while (auto pos = cur.next())
            if (!NETLIB_TRY(store_.is_leased(pos->addr))) {
                free = true;
                break;
            }
        if (!free) out.push_back(i);
    }
    return out;
}

Expected<> collect_garbage(Store& store, std::span<const Attachment> valid) {
    std::string errors;
    int code = 0;
    auto note = [&](const netlib::Error& e) {
        errors += (errors.empty() ? "" : "; ") + e.msg;
        if (code == 0) code = e.code;
    };
    if (auto leases = store.leases(); !leases) {
        note(leases.error());
    } else {
        for (const auto& l : *leases) {
            bool keep = false;
            for (const auto& v : valid) keep = keep || (!l.container_id.empty() && l.held_by(v));
            if (keep) continue;
            if (auto r = store.release(l.addr); !r) note(r.error());
        }
    }
    if (auto r = store.forget_except(valid); !r) note(r.error());
    if (code != 0) return std::unexpected(netlib::Error{code, "gc: " + errors, {}});
    return {};
}

}  // namespace ipam
