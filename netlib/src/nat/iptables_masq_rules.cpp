#include "netlib/nat/iptables_masq_rules.hpp"

#include <algorithm>
#include <set>

#include "netlib/nat/names.hpp"

namespace netlib::nat {

namespace {

constexpr std::string_view kPostrouting = "POSTROUTING";

// The comment match keeps at most 255 bytes and silently cuts longer text (a long network
// name plus a 64-character ID gets there), so comments are compared as stored.
constexpr std::size_t kMaxCommentLen = 255;

std::string stored_comment(std::string_view network, std::string_view container_id) {
    std::string c = owner_comment(network, container_id);
    if (c.size() > kMaxCommentLen) c.resize(kMaxCommentLen);
    return c;
}

// "CNI-" + 24 lowercase hex digits: the shape of every masquerade chain.
bool is_masq_chain_name(std::string_view name) {
    if (name.size() != kChainNameLen || !name.starts_with(kMasqChainPrefix)) return false;
    return std::all_of(name.begin() + static_cast<std::ptrdiff_t>(kMasqChainPrefix.size()),
                       name.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// The masquerade chains a rule of `network` is tied to (as its chain or its target). A
// complete comment names the container, so the chain must be that container's; a cut one
// (see kMaxCommentLen) still names the network, and then the chain's shape must do.
std::vector<std::string> owned_masq_chains(const SavedRule& r, std::string_view network) {
    const std::string comment = r.comment();
    std::vector<std::string> out;
    if (auto owner = parse_owner_comment(comment)) {
        if (owner->network != network) return out;
        std::string mine = masq_chain_name(owner->network, owner->container_id);
        if (r.chain == mine || r.target() == mine) out.push_back(std::move(mine));
        return out;
    }
    std::string prefix = owner_comment(network, "");  // name: "<network>" id: ""
    prefix.pop_back();
    if (comment.size() != kMaxCommentLen || !comment.starts_with(prefix)) return out;
    for (const std::string& c : {r.chain, r.target()}) {
        if (is_masq_chain_name(c)) out.push_back(c);
    }
    return out;
}

std::string_view multicast_net(ip::Family f) {
    return f == ip::Family::V4 ? "224.0.0.0/4" : "ff00::/8";
}

std::vector<ip::Net> family_ips(const MasqRequest& req, ip::Family f) {
    std::vector<ip::Net> out;
    for (const auto& n : req.ips) {
        if (n.family() == f) out.push_back(n);
    }
    return out;
}

// Unique values in first-seen order (a repeated address must not yield two jumps).
std::vector<std::string> unique_in_order(std::vector<std::string> v) {
    std::vector<std::string> out;
    for (auto& s : v) {
        if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
    }
    return out;
}

void append_jump_deletes(std::string& batch, std::string_view chain, const SavedTable& current) {
    for (const auto& r : current.rules) {
        if (r.chain != chain && r.target() == chain) batch += "-D " + r.chain + " " + r.spec + "\n";
    }
}

bool chain_in_use(std::string_view chain, const SavedTable& current) {
    return current.has_chain(chain) ||
           std::any_of(current.rules.begin(), current.rules.end(),
                       [&](const SavedRule& r) { return r.target() == chain; });
}

std::optional<ip::Net> option_net(const SavedRule& r, std::string_view flag, bool negated) {
    auto o = r.option(flag);
    if (!o || o->negated != negated) return std::nullopt;
    return ip::Net::parse_or_host(o->value);
}

bool has_rule(const SavedTable& t, std::string_view chain, std::string_view target,
              std::string_view flag, bool negated, const ip::Net& net, std::string_view comment) {
    return std::any_of(t.rules.begin(), t.rules.end(), [&](const SavedRule& r) {
        if (r.chain != chain || r.target() != target || r.comment() != comment) return false;
        auto n = option_net(r, flag, negated);
        return n && n->masked() == net;
    });
}

}  // namespace

namespace {

// How the container's chain is introduced: `:chain` (re)declares it, flushing an earlier
// ADD's rules (whose jumps `current` names); `-N chain` fails if it exists at all.
std::string masq_batch(const MasqRequest& req, ip::Family f, const SavedTable* current) {
    const std::string chain = masq_chain_name(req.network, req.container_id);
    const std::string comment =
        "-m comment --comment " + quote_rule_word(stored_comment(req.network, req.container_id));
    const auto ips = family_ips(req, f);
    std::vector<std::string> subnets, hosts;
    for (const auto& n : ips) {
        subnets.push_back(n.masked().str());
        hosts.push_back(ip::Net::host(n.addr).str());
    }
    std::string batch = "*nat\n";
    if (current) {
        // Declaring an existing chain in --noflush mode flushes it (legacy and nft alike).
        batch += ":" + chain + " - [0:0]\n";
        append_jump_deletes(batch, chain, *current);
    } else {
        batch += "-N " + chain + "\n";
    }
    for (const auto& s : unique_in_order(std::move(subnets)))
        batch += "-A " + chain + " -d " + s + " " + comment + " -j ACCEPT\n";
    batch += "-A " + chain + " ! -d " + std::string(multicast_net(f)) + " " + comment +
             " -j MASQUERADE\n";
    for (const auto& h : unique_in_order(std::move(hosts)))
        batch +=
            "-A " + std::string(kPostrouting) + " -s " + h + " " + comment + " -j " + chain + "\n";
    batch += "COMMIT\n";
    return batch;
}

}  // namespace

std::string masq_add_batch(const MasqRequest& req, ip::Family f, const SavedTable& current) {
    return masq_batch(req, f, &current);
}

std::string masq_new_container_add_batch(const MasqRequest& req, ip::Family f) {
    return masq_batch(req, f, nullptr);
}

std::string masq_known_del_batch(const MasqRequest& req, ip::Family f) {
    // The inverse of masq_add_batch on a table without this container's rules: the jumps
    // it appended, then the chain. iptables-restore applies all of it or nothing.
    const std::string chain = masq_chain_name(req.network, req.container_id);
    const std::string comment =
        "-m comment --comment " + quote_rule_word(stored_comment(req.network, req.container_id));
    std::vector<std::string> hosts;
    for (const auto& n : family_ips(req, f)) hosts.push_back(ip::Net::host(n.addr).str());
    std::string batch = "*nat\n";
    for (const auto& h : unique_in_order(std::move(hosts)))
        batch +=
            "-D " + std::string(kPostrouting) + " -s " + h + " " + comment + " -j " + chain + "\n";
    batch += "-F " + chain + "\n-X " + chain + "\nCOMMIT\n";
    return batch;
}

std::string masq_del_batch(std::string_view chain, const SavedTable& current) {
    if (!chain_in_use(chain, current)) return {};
    std::string batch = "*nat\n";
    append_jump_deletes(batch, chain, current);
    if (current.has_chain(chain)) {
        batch += "-F " + std::string(chain) + "\n";
        batch += "-X " + std::string(chain) + "\n";
    }
    batch += "COMMIT\n";
    return batch;
}

std::string masq_gc_batch(std::string_view network, std::span<const std::string> valid_ids,
                          const SavedTable& current) {
    // Validity by chain name, not by the ID in the comment: the comment may be cut short.
    std::set<std::string> valid_chains;
    for (const auto& id : valid_ids) valid_chains.insert(masq_chain_name(network, id));
    std::set<std::string> stale_chains;
    for (const auto& r : current.rules) {
        for (auto& chain : owned_masq_chains(r, network)) {
            if (!valid_chains.contains(chain)) stale_chains.insert(std::move(chain));
        }
    }
    std::string body;
    for (const auto& chain : stale_chains) {
        append_jump_deletes(body, chain, current);
        if (current.has_chain(chain)) body += "-F " + chain + "\n-X " + chain + "\n";
    }
    if (body.empty()) return {};
    return "*nat\n" + body + "COMMIT\n";
}

Expected<> masq_check_rules(const MasqRequest& req, ip::Family f, const SavedTable& current) {
    const std::string chain = masq_chain_name(req.network, req.container_id);
    const std::string comment = stored_comment(req.network, req.container_id);
    auto missing = [&](std::string what) {
        return fail(Code::CheckFailed, "check masquerade for container \"" + req.container_id +
                                           "\" in network \"" + req.network + "\": " + what);
    };
    if (!current.has_chain(chain)) return missing("nat chain " + chain + " does not exist");
    const auto mcast = *ip::Net::parse(multicast_net(f));
    if (!has_rule(current, chain, "MASQUERADE", "-d", true, mcast, comment))
        return missing("chain " + chain + " lacks its MASQUERADE rule");
    for (const auto& n : family_ips(req, f)) {
        if (!has_rule(current, chain, "ACCEPT", "-d", false, n.masked(), comment))
            return missing("chain " + chain + " lacks the ACCEPT rule for " + n.masked().str());
        if (!has_rule(current, kPostrouting, chain, "-s", false, ip::Net::host(n.addr), comment))
            return missing("POSTROUTING lacks the jump to " + chain + " for " + n.addr.str());
    }
    return {};
}

}  // namespace netlib::nat
