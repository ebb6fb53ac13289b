#include "netlib/nat/iptables_portmap_rules.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "netlib/nat/names.hpp"

namespace netlib::nat {

namespace {

// multiport takes at most 15 ports per rule.
constexpr std::size_t kMaxMultiport = 15;

std::string mark_mask(int bit) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%x", 1U << bit);
    return std::string(buf) + "/" + buf;
}

std::string setmark_chain(const PortmapRequest& req) {
    return req.external_setmark_chain.empty() ? std::string(kHostportSetmarkChain)
                                              : req.external_setmark_chain;
}

std::string endpoint(const ip::Addr& a, std::uint16_t port) {
    return (a.is_v4() ? a.str() : "[" + a.str() + "]") + ":" + std::to_string(port);
}

std::string dst_match(const PortMapping& m) {
    return m.host_ip ? "-d " + ip::Net::host(*m.host_ip).str() + " " : std::string();
}

std::string port_match(const PortMapping& m) {
    return "-p " + m.protocol + " -m " + m.protocol + " --dport " + std::to_string(m.host_port);
}

bool has_jump(const SavedTable& t, std::string_view chain, std::string_view target) {
    return std::any_of(t.rules.begin(), t.rules.end(), [&](const SavedRule& r) {
        return r.chain == chain && r.target() == target;
    });
}

std::vector<const PortMapping*> family_mappings(const PortmapRequest& req, ip::Family f) {
    std::vector<const PortMapping*> out;
    for (const auto& m : req.mappings)
        if (PortmapRequest::applies(m, f)) out.push_back(&m);
    return out;
}

void append_jump_deletes(std::string& batch, std::string_view chain, const SavedTable& t) {
    for (const auto& r : t.rules)
        if (r.chain != chain && r.target() == chain) batch += "-D " + r.chain + " " + r.spec + "\n";
}

// The shared rules, one spec each, used both to create them and to check for them.
const std::string& dnat_jump_spec() {
    static const std::string s =
        "-m addrtype --dst-type LOCAL -j " + std::string(kHostportDnatChain);
    return s;
}

std::string setmark_rule_spec(const PortmapRequest& req) {
    return "-m comment --comment \"CNI portfwd masquerade mark\" -j MARK --set-xmark " +
           mark_mask(req.mark_masq_bit);
}

std::string masq_rule_spec(const PortmapRequest& req) {
    return "-m mark --mark " + mark_mask(req.mark_masq_bit) + " -j MASQUERADE";
}

const std::string& masq_jump_spec() {
    static const std::string s = "-m comment --comment \"CNI portfwd requiring masquerade\" -j " +
                                 std::string(kHostportMasqChain);
    return s;
}

constexpr std::string_view kGuardRuleSpec = "! -i lo -d 127.0.0.0/8 -j DROP";

const std::string& guard_jump_spec() {
    static const std::string s = "-j " + std::string(kLocalGuardChain);
    return s;
}

// Shared chains and the jumps into them, created once and never flushed (other containers'
// rules live in them): declaring an existing chain in a --noflush batch would flush it.
void append_base_chains(std::string& b, const PortmapRequest& req, const SavedTable& nat) {
    const std::string dnat(kHostportDnatChain);
    if (!nat.has_chain(dnat)) b += ":" + dnat + " - [0:0]\n";
    for (const char* hook : {"PREROUTING", "OUTPUT"})
        if (!has_jump(nat, hook, dnat))
            b += std::string("-A ") + hook + " " + dnat_jump_spec() + "\n";
    if (!req.snat) return;
    if (req.external_setmark_chain.empty() && !nat.has_chain(kHostportSetmarkChain)) {
        b += ":" + std::string(kHostportSetmarkChain) + " - [0:0]\n";
        b += "-A " + std::string(kHostportSetmarkChain) + " " + setmark_rule_spec(req) + "\n";
    }
    if (!nat.has_chain(kHostportMasqChain)) {
        b += ":" + std::string(kHostportMasqChain) + " - [0:0]\n";
        b += "-A " + std::string(kHostportMasqChain) + " " + masq_rule_spec(req) + "\n";
    }
    // First in POSTROUTING: a bridge with ipMasq appends per-container chains that ACCEPT
    // traffic to the container subnet, and a hairpin connection (a container to its own
    // published port) is such traffic; unmasqueraded, it would come back from itself.
    if (!has_jump(nat, "POSTROUTING", kHostportMasqChain))
        b += "-I POSTROUTING 1 " + masq_jump_spec() + "\n";
}

// `-C` lines for every shared rule append_base_chains would create on an empty table: a
// batch that starts with them fails as a whole unless the host is already set up.
void append_base_checks(std::string& b, const PortmapRequest& req) {
    for (const char* hook : {"PREROUTING", "OUTPUT"})
        b += std::string("-C ") + hook + " " + dnat_jump_spec() + "\n";
    if (!req.snat) return;
    if (req.external_setmark_chain.empty())
        b += "-C " + std::string(kHostportSetmarkChain) + " " + setmark_rule_spec(req) + "\n";
    b += "-C " + std::string(kHostportMasqChain) + " " + masq_rule_spec(req) + "\n";
    b += "-C POSTROUTING " + masq_jump_spec() + "\n";
}

// How the container's own chain is introduced: `:chain` (re)declares it, flushing what an
// earlier ADD put there; `-N chain` fails if it exists, so no earlier ADD's jumps can.
enum class ChainIntro { Declare, CreateNew };

void append_container_chain(std::string& b, const PortmapRequest& req, ip::Family f,
                            const ip::Net& target, const SavedTable& nat,
                            ChainIntro intro = ChainIntro::Declare) {
    const std::string chain = dnat_chain_name(req.network, req.container_id);
    const auto maps = family_mappings(req, f);
    if (intro == ChainIntro::CreateNew) {
        b += "-N " + chain + "\n";
    } else {
        b += ":" + chain + " - [0:0]\n";  // (re)declaring flushes: ADD twice is one set of rules
        append_jump_deletes(b, chain, nat);
    }
    std::map<std::string, std::vector<std::uint16_t>> ports_by_proto;
    for (const auto* m : maps) {
        auto& v = ports_by_proto[m->protocol];
        if (std::find(v.begin(), v.end(), m->host_port) == v.end()) v.push_back(m->host_port);
    }
    std::string conds;
    for (const auto& c : f == ip::Family::V4 ? req.conditions_v4 : req.conditions_v6)
        conds += c + " ";
    const std::string comment =
        "-m comment --comment " + quote_rule_word(dnat_comment(req.network, req.container_id));
    for (const auto& [proto, ports] : ports_by_proto) {
        for (std::size_t i = 0; i < ports.size(); i += kMaxMultiport) {
            std::string list;
            for (std::size_t j = i; j < std::min(ports.size(), i + kMaxMultiport); ++j)
                list += (list.empty() ? "" : ",") + std::to_string(ports[j]);
            // One port: the protocol's own match, which the chain's rules load anyway;
            // multiport would be one more extension for iptables-restore to load and
            // probe the kernel for (~0.15 ms of a ~4 ms ADD).
            const std::string ports_match = ports.size() == 1 ? " -m " + proto + " --dport " + list
                                                              : " -m multiport --dports " + list;
            b += "-A " + std::string(kHostportDnatChain) + " -p " + proto + " " + conds + comment +
                 ports_match + " -j " + chain + "\n";
        }
    }
    const std::string mark = setmark_chain(req);
    for (const auto* m : maps) {
        const std::string match = dst_match(*m) + port_match(*m);
        if (req.snat && req.masq_all) {
            b += "-A " + chain + " " + match + " -j " + mark + "\n";
        } else if (req.snat) {
            b +=
                "-A " + chain + " -s " + target.masked().str() + " " + match + " -j " + mark + "\n";
            if (f == ip::Family::V4)
                b += "-A " + chain + " -s 127.0.0.1/32 " + match + " -j " + mark + "\n";
        }
        b += "-A " + chain + " " + match + " -j DNAT --to-destination " +
             endpoint(target.addr, m->container_port) + "\n";
    }
}

}  // namespace

std::optional<ip::Net> PortmapRequest::target(ip::Family f) const {
    for (const auto& a : container_ips)
        if (a.family() == f) return a;
    return std::nullopt;
}

std::string dnat_chain_name(std::string_view network, std::string_view container_id) {
    return chain_name(kDnatChainPrefix, network, container_id);
}

std::string dnat_comment(std::string_view network, std::string_view container_id) {
    return "dnat " + owner_comment(network, container_id);
}

bool needs_local_guard(const PortmapRequest& req, ip::Family f) {
    return f == ip::Family::V4 && req.snat && !req.masq_all && req.target(f) &&
           !family_mappings(req, f).empty();
}

std::string portmap_add_batch(const PortmapRequest& req, ip::Family f, const SavedTable& nat,
                              const SavedTable& raw) {
    auto target = req.target(f);
    if (!target || family_mappings(req, f).empty()) return {};
    std::string b = "*nat\n";
    append_base_chains(b, req, nat);
    append_container_chain(b, req, f, *target, nat);
    b += "COMMIT\n";
    if (needs_local_guard(req, f)) {
        std::string guard;
        if (!raw.has_chain(kLocalGuardChain)) {
            guard += ":" + std::string(kLocalGuardChain) + " - [0:0]\n";
            guard +=
                "-A " + std::string(kLocalGuardChain) + " " + std::string(kGuardRuleSpec) + "\n";
        }
        if (!has_jump(raw, "PREROUTING", kLocalGuardChain))
            guard += "-A PREROUTING " + guard_jump_spec() + "\n";
        if (!guard.empty()) b += "*raw\n" + guard + "COMMIT\n";
    }
    return b;
}

std::string portmap_new_container_add_batch(const PortmapRequest& req, ip::Family f,
                                            bool shared_known) {
    auto target = req.target(f);
    if (!target || family_mappings(req, f).empty()) return {};
    std::string b;
    // The guard first: route_localnet without it would let other hosts reach 127.0.0.1,
    // and iptables-legacy commits table by table.
    if (!shared_known && needs_local_guard(req, f))
        b += "*raw\n-C PREROUTING " + guard_jump_spec() + "\n-C " + std::string(kLocalGuardChain) +
             " " + std::string(kGuardRuleSpec) + "\nCOMMIT\n";
    b += "*nat\n";
    if (!shared_known) append_base_checks(b, req);
    append_container_chain(b, req, f, *target, SavedTable{}, ChainIntro::CreateNew);
    return b + "COMMIT\n";
}

std::string portmap_known_del_batch(const PortmapRequest& req, ip::Family f) {
    auto target = req.target(f);
    if (!target || family_mappings(req, f).empty()) return {};
    // What append_container_chain adds on a table without this container: its jumps from
    // the shared chain become deletions, then its own chain goes. All or nothing.
    std::string add;
    append_container_chain(add, req, f, *target, SavedTable{});
    const std::string chain = dnat_chain_name(req.network, req.container_id);
    const std::string jump = "-A " + std::string(kHostportDnatChain) + " ";
    std::string b = "*nat\n";
    for (std::size_t at = 0; at < add.size();) {
        const auto end = add.find('\n', at);
        const std::string line = add.substr(at, end - at);
        if (line.starts_with(jump)) b += "-D" + line.substr(2) + "\n";
        at = end == std::string::npos ? add.size() : end + 1;
    }
    return b + "-F " + chain + "\n-X " + chain + "\nCOMMIT\n";
}

std::string portmap_del_batch(std::string_view network, std::string_view container_id,
                              const SavedTable& nat) {
    const std::string chain = dnat_chain_name(network, container_id);
    std::string body;
    append_jump_deletes(body, chain, nat);
    if (nat.has_chain(chain)) body += "-F " + chain + "\n-X " + chain + "\n";
    if (body.empty()) return {};
    return "*nat\n" + body + "COMMIT\n";
}

std::string portmap_gc_batch(std::string_view network, std::span<const std::string> valid_ids,
                             const SavedTable& nat) {
    std::set<std::string> valid;
    for (const auto& id : valid_ids) valid.insert(dnat_chain_name(network, id));
    std::set<std::string> stale;
    for (const auto& r : nat.rules) {
        if (r.chain != kHostportDnatChain) continue;
        const std::string comment = r.comment();
        if (!comment.starts_with("dnat ")) continue;
        auto owner = parse_owner_comment(std::string_view(comment).substr(5));
        if (!owner || owner->network != network) continue;
        std::string chain = dnat_chain_name(owner->network, owner->container_id);
        if (r.target() == chain && !valid.contains(chain)) stale.insert(chain);
    }
    std::string body;
    for (const auto& chain : stale) {
        append_jump_deletes(body, chain, nat);
        if (nat.has_chain(chain)) body += "-F " + chain + "\n-X " + chain + "\n";
    }
    if (body.empty()) return {};
    return "*nat\n" + body + "COMMIT\n";
}

Expected<> portmap_check_rules(const PortmapRequest& req, ip::Family f, const SavedTable& nat) {
    auto target = req.target(f);
    const auto maps = family_mappings(req, f);
    if (!target || maps.empty()) return {};
    const std::string chain = dnat_chain_name(req.network, req.container_id);
    auto missing = [&](const std::string& what) {
        return fail(Code::CheckFailed, "check port mappings of container \"" + req.container_id +
                                           "\" in network \"" + req.network + "\": " + what);
    };
    if (!nat.has_chain(kHostportDnatChain) || !has_jump(nat, "PREROUTING", kHostportDnatChain))
        return missing("PREROUTING does not jump to " + std::string(kHostportDnatChain));
    if (!nat.has_chain(chain)) return missing("nat chain " + chain + " does not exist");
    for (const auto* m : maps) {
        const std::string port = std::to_string(m->host_port);
        bool jump = std::any_of(nat.rules.begin(), nat.rules.end(), [&](const SavedRule& r) {
            auto p = r.option("-p");
            auto ports = r.option("--dports");
            if (!ports) ports = r.option("--dport");
            if (r.chain != kHostportDnatChain || r.target() != chain || !p || !ports) return false;
            std::string list = "," + ports->value + ",";
            return p->value == m->protocol && list.find("," + port + ",") != std::string::npos;
        });
        if (!jump)
            return missing(std::string(kHostportDnatChain) + " lacks the jump for " + m->protocol +
                           "/" + port);
        const std::string to = endpoint(target->addr, m->container_port);
        bool dnat = std::any_of(nat.rules.begin(), nat.rules.end(), [&](const SavedRule& r) {
            auto dport = r.option("--dport");
            auto dest = r.option("--to-destination");
            return r.chain == chain && r.target() == "DNAT" && dport && dport->value == port &&
                   dest && dest->value == to;
        });
        if (!dnat)
            return missing("chain " + chain + " lacks the DNAT of " + m->protocol + "/" + port +
                           " to " + to);
    }
    return {};
}

}  // namespace netlib::nat
