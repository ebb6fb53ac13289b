#pragma once
// In-memory Store for allocator tests: same contract as DiskStore, plus counters so tests
// can assert how much work an operation did.
#include <algorithm>
#include <map>

#include "ipam/store.hpp"

namespace ipam::testing {

class FakeStore final : public Store {
  public:
    std::map<ip::Addr, Lease> leased;
    std::map<std::size_t, ip::Addr> last;
    std::map<std::pair<std::string, std::string>, std::vector<ip::Addr>> index;
    int reserve_calls = 0;
    bool fail_reserve = false;  // reserve() returns an I/O error

    void put(const std::string& addr, const std::string& id, std::optional<std::string> ifname) {
        auto a = *ip::Addr::parse(addr);
        leased[a] = Lease{a, id, std::move(ifname)};
    }

    Expected<bool> reserve(const ip::Addr& a, const Attachment& who) override {
        ++reserve_calls;
        if (fail_reserve) return netlib::fail(netlib::Code::Io, "fake: disk full");
        if (leased.contains(a)) return false;
        leased[a] = Lease{a, who.container_id, who.ifname};
        return true;
    }
    Expected<> release(const ip::Addr& a) override {
        leased.erase(a);
        return {};
    }
    Expected<bool> is_leased(const ip::Addr& a) override { return leased.contains(a); }
    Expected<std::optional<ip::Addr>> last_reserved(std::size_t set) override {
        auto it = last.find(set);
        if (it == last.end()) return std::optional<ip::Addr>{};
        return std::optional<ip::Addr>{it->second};
    }
    Expected<> set_last_reserved(std::size_t set, const ip::Addr& a) override {
        last[set] = a;
        return {};
    }
    // Like DiskStore: only what remember() recorded and still holds.
    Expected<std::vector<ip::Addr>> held_fast(const Attachment& who) override {
        std::vector<ip::Addr> out;
        auto it = index.find({who.container_id, who.ifname});
        if (it == index.end()) return out;
        for (const auto& a : it->second) {
            auto l = leased.find(a);
            if (l != leased.end() && l->second.ifname &&
                l->second.container_id == who.container_id && *l->second.ifname == who.ifname)
                out.push_back(a);
        }
        return out;
    }
    Expected<std::vector<ip::Addr>> held(const Attachment& who) override {
        std::vector<ip::Addr> own, legacy;
        for (const auto& [a, l] : leased) {
            if (l.ifname && l.container_id == who.container_id && *l.ifname == who.ifname)
                own.push_back(a);
            else if (!l.ifname && l.container_id == who.container_id)
                legacy.push_back(a);
        }
        return own.empty() ? legacy : own;
    }
    Expected<std::vector<ip::Addr>> release_all(const Attachment& who) override {
        auto h = *held(who);
        for (const auto& a : h) leased.erase(a);
        index.erase({who.container_id, who.ifname});
        return h;
    }
    Expected<> remember(const Attachment& who, std::span<const ip::Addr> addrs) override {
        index[{who.container_id, who.ifname}] = {addrs.begin(), addrs.end()};
        return {};
    }
    Expected<std::vector<Lease>> leases() override {
        std::vector<Lease> out;
        for (const auto& [a, l] : leased) out.push_back(l);
        return out;
    }
    Expected<> forget_except(std::span<const Attachment> valid) override {
        std::erase_if(index, [&](const auto& kv) {
            Attachment a{kv.first.first, kv.first.second};
            return std::find(valid.begin(), valid.end(), a) == valid.end();
        });
        return {};
    }
};

}  // namespace ipam::testing
