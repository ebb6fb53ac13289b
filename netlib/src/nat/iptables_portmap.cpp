#include "netlib/nat/iptables_portmap.hpp"

#include <unistd.h>

#include <algorithm>
#include <optional>

#include "netlib/nat/iptables_portmap_rules.hpp"
#include "netlib/nat/nft_chain_rules.hpp"

namespace netlib::nat {

namespace {

std::string describe(std::string_view network, std::string_view container_id) {
    return "container \"" + std::string(container_id) + "\" in network \"" + std::string(network) +
           "\"";
}

Expected<SavedTable> read_table(const std::string& text, std::string_view table) {
    return parse_iptables_save(text, table);
}

enum class SharedRules { Present, Missing, Unknown };

// The shared chains and jumps portmap_add_batch would create (nat, and the raw guard when
// needed), as iptables-nft keeps them in nf_tables; a chain counts as there when it has
// rules, which is as the read path treats it (an existing shared chain is left as it is).
// Unknown for iptables-legacy or when nf_tables cannot be read: the batch then checks
// them itself.
SharedRules shared_rules(const Iptables& ipt, const PortmapRequest& req, ip::Family f) {
    if (!ipt.is_nft(f)) return SharedRules::Unknown;
    auto reader = NftRuleReader::open();
    if (!reader) return SharedRules::Unknown;
    auto jumps_to = [&](const char* chain, std::string_view target,
                        const char* table = "nat") -> std::optional<bool> {
        auto r = reader->chain_rules(f, table, chain);
        if (!r) return std::nullopt;
        return std::find(r->jumps.begin(), r->jumps.end(), target) != r->jumps.end();
    };
    auto has_rules = [&](std::string_view chain, const char* table = "nat") -> std::optional<bool> {
        auto r = reader->chain_rules(f, table, chain);
        if (!r) return std::nullopt;
        return r->rules > 0;
    };
    std::vector<std::optional<bool>> seen = {jumps_to("PREROUTING", kHostportDnatChain),
                                             jumps_to("OUTPUT", kHostportDnatChain)};
    if (req.snat) {
        seen.push_back(jumps_to("POSTROUTING", kHostportMasqChain));
        seen.push_back(has_rules(kHostportMasqChain));
        if (req.external_setmark_chain.empty()) seen.push_back(has_rules(kHostportSetmarkChain));
    }
    if (needs_local_guard(req, f)) {
        seen.push_back(jumps_to("PREROUTING", kLocalGuardChain, "raw"));
        seen.push_back(has_rules(kLocalGuardChain, "raw"));
    }
    for (const auto& s : seen)
        if (!s) return SharedRules::Unknown;
    for (const auto& s : seen)
        if (!*s) return SharedRules::Missing;
    return SharedRules::Present;
}

}  // namespace

std::vector<ip::Family> IptablesPortmap::families_present() const {
    std::vector<ip::Family> out;
    if (ipt_.available(ip::Family::V4)) out.push_back(ip::Family::V4);
    if (::access("/proc/sys/net/ipv6", F_OK) == 0 && ipt_.available(ip::Family::V6))
        out.push_back(ip::Family::V6);
    return out;
}

std::string IptablesPortmap::new_container_batch(const PortmapRequest& req, ip::Family f) const {
    // With iptables-nft the shared rules are read from nf_tables first: a -C line in the
    // batch would make the tool fetch every rule of the nat table.
    const auto shared = shared_rules(ipt_, req, f);
    if (shared == SharedRules::Missing) return {};
    return portmap_new_container_add_batch(req, f, shared == SharedRules::Present);
}

Expected<> IptablesPortmap::add_family_reading(const PortmapRequest& req, ip::Family f) {
    // One save of every table when the raw-table guard is involved, else nat alone.
    const bool guard = needs_local_guard(req, f);
    auto text = NETLIB_TRY(ipt_.save(f, guard ? "" : "nat"));
    auto nat = NETLIB_TRY(read_table(text, "nat"));
    auto raw = guard ? NETLIB_TRY(read_table(text, "raw")) : SavedTable{};
    std::string batch = portmap_add_batch(req, f, nat, raw);
    if (batch.empty()) {
        // Nothing to publish on f: drop what an earlier ADD of this container left there.
        return del_family(req.network, req.container_id, f);
    }
    return ipt_.restore(f, batch);
}

// The common case is one restore per family and no save (the save is what grows with the
// number of containers): the tool is started first and gets its batch once the caller has
// recorded the ports. A first ADD on the host, a re-ADD or missing shared rules get the
// batch refused (or no batch) and take the read-then-write path.
class IptablesPortmap::PendingAdd final : public PendingPortmapAdd {
  public:
    PendingAdd(IptablesPortmap& b, PortmapRequest req) : b_(b), req_(std::move(req)) {}

    Expected<> start() {
        for (auto f : {ip::Family::V4, ip::Family::V6}) {
            if (!req_.target(f)) continue;
            auto run = b_.ipt_.start_restore_awaiting_batch(f);
            if (!run) return std::unexpected(with_context(run.error(), context()));
            runs_.emplace_back(f, std::move(*run));
        }
        return {};
    }

    Expected<> finish() override {
        std::vector<ip::Family> done;
        for (auto& [f, run] : runs_) {
            std::string batch = b_.new_container_batch(req_, f);
            const bool empty = batch.empty();
            auto r = run.wait(std::move(batch));
            if (empty || !r) r = b_.add_family_reading(req_, f);
            if (!r) {
                // All or nothing: take back what went in (the caller's DEL mops up the rest).
                for (auto g : done) (void)b_.del_family(req_.network, req_.container_id, g);
                return std::unexpected(with_context(r.error(), context()));
            }
            done.push_back(f);
        }
        return {};
    }

  private:
    std::string context() const {
        return "publish ports of " + describe(req_.network, req_.container_id);
    }

    IptablesPortmap& b_;
    PortmapRequest req_;
    std::vector<std::pair<ip::Family, PendingRestore>> runs_;
};

Expected<std::unique_ptr<PendingPortmapAdd>> IptablesPortmap::start_add(const PortmapRequest& req) {
    auto pending = std::make_unique<PendingAdd>(*this, req);
    NETLIB_TRYV(pending->start());
    return pending;
}

Expected<> IptablesPortmap::del_family(std::string_view network, std::string_view container_id,
                                       ip::Family f) {
    auto text = NETLIB_TRY(ipt_.save(f, "nat"));
    auto nat = NETLIB_TRY(read_table(text, "nat"));
    std::string batch = portmap_del_batch(network, container_id, nat);
    if (batch.empty()) return {};
    return ipt_.restore(f, batch);
}

Expected<> IptablesPortmap::add(const PortmapRequest& req) {
    auto pending = NETLIB_TRY(start_add(req));
    return pending->finish();
}

Expected<> IptablesPortmap::del(std::string_view network, std::string_view container_id) {
    std::optional<Error> first;
    for (auto f : families_present()) {
        auto r = del_family(network, container_id, f);
        if (!r && !first) first = r.error();
    }
    if (first)
        return std::unexpected(
            with_context(*first, "remove port mappings of " + describe(network, container_id)));
    return {};
}

Expected<> IptablesPortmap::del_known(const PortmapRequest& req) {
    std::optional<Error> first;
    for (auto f : families_present()) {
        const std::string batch = portmap_known_del_batch(req, f);
        if (batch.empty() || ipt_.restore(f, batch)) continue;
        auto r = del_family(req.network, req.container_id, f);
        if (!r && !first) first = r.error();
    }
    if (first)
        return std::unexpected(with_context(
            *first, "remove port mappings of " + describe(req.network, req.container_id)));
    return {};
}
Expected<> IptablesPortmap::check(const PortmapRequest& req) {
    for (auto f : {ip::Family::V4, ip::Family::V6}) {
        // An IPv4-only container has nothing to check on IPv6 (the reference fails here).
        if (!req.target(f)) continue;
        auto text = NETLIB_TRY(ipt_.save(f, "nat"));
        auto nat = NETLIB_TRY(read_table(text, "nat"));
        NETLIB_TRYV(portmap_check_rules(req, f, nat));
    }
    return {};
}

Expected<> IptablesPortmap::gc(std::string_view network, std::span<const std::string> valid_ids) {
    std::optional<Error> first;
    for (auto f : families_present()) {
        auto r = [&]() -> Expected<> {
            auto text = NETLIB_TRY(ipt_.save(f, "nat"));
            auto nat = NETLIB_TRY(read_table(text, "nat"));
            std::string batch = portmap_gc_batch(network, valid_ids, nat);
            if (batch.empty()) return {};
            return ipt_.restore(f, batch);
        }();
        if (!r && !first) first = r.error();
    }
    if (first)
        return std::unexpected(with_context(
            *first, "garbage-collect port mappings of network \"" + std::string(network) + "\""));
    return {};
}

}  // namespace netlib::nat
