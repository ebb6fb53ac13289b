#include "netlib/nat/iptables_masq.hpp"

#include <unistd.h>

#include <algorithm>
#include <optional>

#include "netlib/nat/iptables_masq_rules.hpp"
#include "netlib/nat/names.hpp"

namespace netlib::nat {

namespace {

constexpr std::string_view kTable = "nat";

std::string lock_path(char stripe) {
    return std::string(kMasqLockDir) + "/lock." + stripe;
}

bool has_family(const MasqRequest& req, ip::Family f) {
    return std::any_of(req.ips.begin(), req.ips.end(),
                       [f](const ip::Net& n) { return n.family() == f; });
}

std::string describe(std::string_view network, std::string_view container_id) {
    return "container \"" + std::string(container_id) + "\" in network \"" + std::string(network) +
           "\"";
}

// Runs op for each family and reports every failure (best effort for DEL/GC).
template <class Op>
Expected<> for_each_family(const std::vector<ip::Family>& fams, Op op) {
    std::optional<Error> first;
    for (auto f : fams) {
        auto r = op(f);
        if (r) continue;
        if (!first)
            first = std::move(r.error());
        else
            first->msg += "; " + r.error().msg;
    }
    if (first) return std::unexpected(std::move(*first));
    return {};
}

}  // namespace

Expected<sys::FileLock> IptablesMasq::lock_container(std::string_view chain,
                                                     sys::FileLock::Children children) {
    // The chain name ends in hex digits of a hash of (network, container ID).
    return sys::FileLock::acquire_creating_dir(lock_path(chain.back()), children);
}

Expected<std::vector<sys::FileLock>> IptablesMasq::lock_all() {
    std::vector<sys::FileLock> locks;
    for (char c : std::string_view("0123456789abcdef"))
        locks.push_back(NETLIB_TRY(sys::FileLock::acquire_creating_dir(lock_path(c))));
    return locks;
}

std::vector<ip::Family> IptablesMasq::families_present() const {
    std::vector<ip::Family> out;
    if (ipt_.available(ip::Family::V4)) out.push_back(ip::Family::V4);
    if (::access("/proc/sys/net/ipv6", F_OK) == 0 && ipt_.available(ip::Family::V6))
        out.push_back(ip::Family::V6);
    return out;
}

Expected<> IptablesMasq::add_family_reading(const MasqRequest& req, ip::Family f) {
    auto text = NETLIB_TRY(ipt_.save(f, kTable));
    auto current = NETLIB_TRY(parse_iptables_save(text, kTable));
    return ipt_.restore(f, masq_add_batch(req, f, current));
}

class IptablesMasq::PendingAdd final : public PendingMasqAdd {
  public:
    PendingAdd(IptablesMasq& b, MasqRequest req) : b_(b), req_(std::move(req)) {}

    // A new container in one restore per family, without the save that grows with the
    // table; both families' tools run at once, holding the container's lock.
    Expected<> start() {
        auto lock = lock_container(masq_chain_name(req_.network, req_.container_id),
                                   sys::FileLock::Children::Hold);
        if (!lock) return std::unexpected(with_context(lock.error(), context()));
        lock_.emplace(std::move(*lock));
        for (auto f : {ip::Family::V4, ip::Family::V6}) {
            if (!has_family(req_, f)) continue;
            auto r = b_.ipt_.start_restore(f, masq_new_container_add_batch(req_, f));
            if (!r) return std::unexpected(with_context(r.error(), context()));
            runs_.emplace_back(f, std::move(*r));
        }
        return {};
    }

    Expected<> finish() override {
        std::vector<ip::Family> done;
        std::optional<Error> failed;
        for (auto& [f, run] : runs_) {
            // Refused: a re-ADD (the chain exists) or a hand-made rule in the way.
            auto r = run.wait();
            if (!r) r = b_.add_family_reading(req_, f);
            if (r)
                done.push_back(f);
            else if (!failed)
                failed = r.error();
        }
        if (!failed) return {};
        // All or nothing: take back the families that went in. A failure here is secondary
        // to the one reported; the caller's DEL removes whatever is left.
        const std::string chain = masq_chain_name(req_.network, req_.container_id);
        for (auto f : done) (void)b_.del_family(chain, f);
        return std::unexpected(with_context(*failed, context()));
    }

  private:
    std::string context() const {
        return "set up masquerade for " + describe(req_.network, req_.container_id);
    }

    IptablesMasq& b_;
    MasqRequest req_;
    std::optional<sys::FileLock> lock_;  // declared before runs_: released after they end
    std::vector<std::pair<ip::Family, PendingRestore>> runs_;
};

Expected<std::unique_ptr<PendingMasqAdd>> IptablesMasq::start_add(const MasqRequest& req) {
    auto pending = std::make_unique<PendingAdd>(*this, req);
    NETLIB_TRYV(pending->start());
    return pending;
}

Expected<> IptablesMasq::del_family(std::string_view chain, ip::Family f) {
    auto text = NETLIB_TRY(ipt_.save(f, kTable));
    auto current = NETLIB_TRY(parse_iptables_save(text, kTable));
    std::string batch = masq_del_batch(chain, current);
    if (batch.empty()) return {};
    return ipt_.restore(f, batch);
}

Expected<> IptablesMasq::add(const MasqRequest& req) {
    if (req.ips.empty()) return {};
    auto pending = NETLIB_TRY(start_add(req));
    return pending->finish();
}

Expected<> IptablesMasq::del(std::string_view network, std::string_view container_id) {
    const std::string chain = masq_chain_name(network, container_id);
    auto lock = lock_container(chain, sys::FileLock::Children::Exclude);
    if (!lock)
        return std::unexpected(
            with_context(lock.error(), "remove masquerade for " + describe(network, container_id)));
    auto r =
        for_each_family(families_present(), [&](ip::Family f) { return del_family(chain, f); });
    if (!r)
        return std::unexpected(
            with_context(r.error(), "remove masquerade for " + describe(network, container_id)));
    return {};
}

Expected<> IptablesMasq::del_known(const MasqRequest& req) {
    const std::string chain = masq_chain_name(req.network, req.container_id);
    auto lock = lock_container(chain, sys::FileLock::Children::Exclude);
    if (!lock)
        return std::unexpected(with_context(
            lock.error(), "remove masquerade for " + describe(req.network, req.container_id)));
    std::vector<ip::Family> todo;
    for (auto f : families_present())
        if (has_family(req, f)) todo.push_back(f);
    auto r = for_each_family(todo, [&](ip::Family f) -> Expected<> {
        if (ipt_.restore(f, masq_known_del_batch(req, f))) return {};
        return del_family(chain, f);
    });
    if (!r)
        return std::unexpected(with_context(
            r.error(), "remove masquerade for " + describe(req.network, req.container_id)));
    return {};
}

Expected<> IptablesMasq::check(const MasqRequest& req) {
    for (auto f : {ip::Family::V4, ip::Family::V6}) {
        if (!has_family(req, f)) continue;
        auto text = NETLIB_TRY(ipt_.save(f, kTable));
        auto current = NETLIB_TRY(parse_iptables_save(text, kTable));
        NETLIB_TRYV(masq_check_rules(req, f, current));
    }
    return {};
}

Expected<> IptablesMasq::gc(std::string_view network, std::span<const std::string> valid_ids) {
    auto locks = lock_all();
    if (!locks)
        return std::unexpected(
            with_context(locks.error(),
                         "garbage-collect masquerade of network \"" + std::string(network) + "\""));
    auto r = for_each_family(families_present(), [&](ip::Family f) -> Expected<> {
        auto text = NETLIB_TRY(ipt_.save(f, kTable));
        auto current = NETLIB_TRY(parse_iptables_save(text, kTable));
        std::string batch = masq_gc_batch(network, valid_ids, current);
        if (batch.empty()) return {};
        return ipt_.restore(f, batch);
    });
    if (!r)
        return std::unexpected(with_context(
            r.error(), "garbage-collect masquerade of network \"" + std::string(network) + "\""));
    return {};
}

}  // namespace netlib::nat
