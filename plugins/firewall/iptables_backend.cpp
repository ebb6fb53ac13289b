#include "iptables_backend.hpp"

#include <algorithm>

#include "netlib/nat/iptables_save.hpp"
#include "rules.hpp"

namespace firewall {

using netlib::Code;
using netlib::Expected;
using netlib::fail;
using netlib::ip::Family;
namespace nat = netlib::nat;

namespace {

constexpr const char* kTable = "filter";

std::vector<netlib::ip::Addr> of_family(const std::vector<netlib::ip::Addr>& ips, Family f) {
    std::vector<netlib::ip::Addr> v;
    std::ranges::copy_if(ips, std::back_inserter(v),
                         [f](const auto& a) { return a.family() == f; });
    return v;
}

bool has_rule(const nat::SavedTable& t, const Rule& r) {
    return std::ranges::any_of(
        t.rules, [&](const nat::SavedRule& s) { return s.chain == r.chain && s.args == r.words; });
}

std::string spec(const Rule& r) {
    std::string s;
    for (const auto& w : r.words) s += " " + nat::quote_rule_word(w);
    return s;
}

std::string describe(const Rule& r) {
    std::string s = "-A " + r.chain;
    for (const auto& w : r.words) s += " " + w;
    return s;
}

const char* family_name(Family f) {
    return f == Family::V4 ? "IPv4" : "IPv6";
}

}  // namespace

Expected<> IptablesBackend::add(const Target& t) const {
    for (Family f : {Family::V4, Family::V6}) {
        auto ips = of_family(t.ips, f);
        if (ips.empty()) continue;
        if (!ipt_.available(f))
            return fail(Code::PluginExec,
                        std::string("no ") + family_name(f) +
                            " iptables tools found for the container's addresses");
        auto saved = NETLIB_TRY(ipt_.save(f, kTable));
        auto current = NETLIB_TRY(nat::parse_iptables_save(saved, kTable));
        auto isolation = isolation_rules(cfg_, t.bridge);
        std::string batch = std::string("*") + kTable + "\n";
        // Declaring an existing chain would flush it (the admin's chain above all): only new ones.
        for (const auto& c : chains_needed(cfg_, !isolation.empty()))
            if (!current.has_chain(c)) batch += ":" + c + " - [0:0]\n";
        std::vector<Rule> rules = jump_rules(cfg_);
        auto mine = container_rules(ips);
        rules.insert(rules.end(), mine.begin(), mine.end());
        rules.insert(rules.end(), isolation.begin(), isolation.end());
        for (const auto& r : rules)
            if (!has_rule(current, r))
                batch += (r.first ? "-I " + r.chain + " 1" : "-A " + r.chain) + spec(r) + "\n";
        batch += "COMMIT\n";
        NETLIB_TRYV(ipt_.restore(f, batch));
    }
    return {};
}

Expected<> IptablesBackend::del(const Target& t) const {
    for (Family f : {Family::V4, Family::V6}) {
        auto ips = of_family(t.ips, f);
        if (ips.empty() || !ipt_.available(f)) continue;  // no tools: none of our rules can exist
        auto saved = NETLIB_TRY(ipt_.save(f, kTable));
        auto current = NETLIB_TRY(nat::parse_iptables_save(saved, kTable));
        std::string lines;
        for (const auto& r : container_rules(ips))
            if (has_rule(current, r)) lines += "-D " + r.chain + spec(r) + "\n";
        if (lines.empty()) continue;
        NETLIB_TRYV(ipt_.restore(f, std::string("*") + kTable + "\n" + lines + "COMMIT\n"));
    }
    return {};
}

Expected<> IptablesBackend::check(const Target& t) const {
    for (Family f : {Family::V4, Family::V6}) {
        auto ips = of_family(t.ips, f);
        if (ips.empty()) continue;
        auto saved = NETLIB_TRY(ipt_.save(f, kTable));
        auto current = NETLIB_TRY(nat::parse_iptables_save(saved, kTable));
        std::vector<Rule> rules = jump_rules(cfg_);
        auto mine = container_rules(ips);
        rules.insert(rules.end(), mine.begin(), mine.end());
        for (const auto& r : isolation_rules(cfg_, t.bridge)) rules.push_back(r);
        for (const auto& r : rules)
            if (!has_rule(current, r))
                return fail(Code::CheckFailed,
                            std::string(family_name(f)) + " filter rule missing: " + describe(r));
    }
    return {};
}

}  // namespace firewall
