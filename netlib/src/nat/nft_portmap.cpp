#include "netlib/nat/nft_portmap.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "netlib/nat/element_record.hpp"
#include "netlib/nat/iptables_portmap_rules.hpp"
#include "netlib/nat/nft.hpp"
#include "netlib/nat/nft_batch.hpp"
#include "netlib/sys/files.hpp"

namespace netlib::nat {

namespace {

const std::string kT(kNftPortmapTable);
constexpr std::string_view kTableName = "netrun_portmap";  // kT without the family

// Fixed part: created if missing, base chains rewritten (flush + add in the same
// transaction, so there is no moment without them).
std::string base_script() {
    std::string s = "add table " + kT + "\n";
    for (const char* decl :
         {"map dnat4_any { type inet_proto . inet_service : ipv4_addr . inet_service; }",
          "map dnat4_ip { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }",
          "map dnat6_any { type inet_proto . inet_service : ipv6_addr . inet_service; }",
          "map dnat6_ip { type ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service; }",
          "set hp4 { type ifname . ipv4_addr; }", "set hp6 { type ifname . ipv6_addr; }",
          "set self4 { type ipv4_addr . ipv4_addr; }", "set self6 { type ipv6_addr . ipv6_addr; }",
          "set lo4 { type ipv4_addr; }", "set all4 { type ipv4_addr; }",
          "set all6 { type ipv6_addr; }", "chain published",
          "chain pre { type nat hook prerouting priority dstnat; policy accept; }",
          "chain out { type nat hook output priority -100; policy accept; }",
          "chain post { type nat hook postrouting priority srcnat; policy accept; }",
          "chain guard { type filter hook prerouting priority raw; policy accept; }"})
        s += "add " + std::string(decl).insert(std::string(decl).find(' '), " " + kT) + "\n";
    for (const char* c : {"published", "pre", "out", "post", "guard"})
        s += "flush chain " + kT + " " + c + "\n";
    for (const char* rule :
         {"published meta nfproto ipv4 dnat ip to ip daddr . meta l4proto . th dport map @dnat4_ip",
          "published meta nfproto ipv4 dnat ip to meta l4proto . th dport map @dnat4_any",
          "published meta nfproto ipv6 dnat ip6 to ip6 daddr . meta l4proto . th dport map "
          "@dnat6_ip",
          "published meta nfproto ipv6 dnat ip6 to meta l4proto . th dport map @dnat6_any",
          "pre fib daddr type local jump published", "out fib daddr type local jump published",
          "post ct status dnat iifname . ip daddr @hp4 masquerade",
          "post ct status dnat iifname . ip6 daddr @hp6 masquerade",
          "post ct status dnat ip saddr . ip daddr @self4 masquerade",
          "post ct status dnat ip6 saddr . ip6 daddr @self6 masquerade",
          "post ct status dnat ip saddr 127.0.0.0/8 ip daddr @lo4 masquerade",
          "post ct status dnat ip daddr @all4 masquerade",
          "post ct status dnat ip6 daddr @all6 masquerade",
          // route_localnet on the bridge must not open the host's loopback to other hosts.
          "guard iifname != \"lo\" ip daddr 127.0.0.0/8 drop"})
        s += "add rule " + kT + " " + rule + "\n";
    return s;
}

std::string owner_tag(std::string_view network, std::string_view container_id) {
    std::string c =
        "netrun-portmap net=" + std::string(network) + " id=" + std::string(container_id);
    if (c.size() > 127) c = "netrun-portmap " + dnat_chain_name(network, container_id);
    return c;
}

std::string endpoint(const ip::Addr& a, std::uint16_t port) {
    return a.str() + " . " + std::to_string(port);
}

std::string delete_line(const std::string& set, const std::string& key) {
    return "delete element " + kT + " " + set + " { " + key + " }\n";
}

Expected<> delete_recorded(Nft& nft, const std::vector<std::pair<std::string, std::string>>& elems,
                           std::string_view what) {
    if (elems.empty()) return {};
    std::string script;
    for (const auto& [set, key] : elems) script += delete_line(set, key);
    if (nft.run(script, what)) return {};
    // Some element is already gone (crash between record and transaction, or removed by
    // hand): delete one by one, a missing one is fine.
    for (const auto& [set, key] : elems) (void)nft.run(delete_line(set, key), what);
    return {};
}

}  // namespace

std::vector<NftElement> nft_portmap_elements(const PortmapRequest& req) {
    std::vector<NftElement> out;
    for (auto f : {ip::Family::V4, ip::Family::V6}) {
        auto target = req.target(f);
        if (!target) continue;
        const std::string fam = f == ip::Family::V4 ? "4" : "6";
        bool any = false;
        for (const auto& m : req.mappings) {
            if (!PortmapRequest::applies(m, f)) continue;
            any = true;
            std::string key = m.protocol + " . " + std::to_string(m.host_port);
            if (m.host_ip)
                out.push_back({"dnat" + fam + "_ip", m.host_ip->str() + " . " + key,
                               endpoint(target->addr, m.container_port)});
            else
                out.push_back(
                    {"dnat" + fam + "_any", key, endpoint(target->addr, m.container_port)});
        }
        if (!any || !req.snat) continue;
        if (req.masq_all) {
            out.push_back({"all" + fam, target->addr.str(), ""});
            continue;
        }
        for (const auto& i : req.host_ifaces)
            out.push_back({"hp" + fam, "\"" + i + "\" . " + target->addr.str(), ""});
        out.push_back({"self" + fam, target->addr.str() + " . " + target->addr.str(), ""});
        if (f == ip::Family::V4) out.push_back({"lo4", target->addr.str(), ""});
    }
    return out;
}

std::string NftPortmap::record_path(std::string_view network, std::string_view container_id) const {
    return dir_ + "/" + dnat_chain_name(network, container_id);
}

Expected<> NftPortmap::add(const PortmapRequest& req) {
    const std::string what = "publish ports of container \"" + req.container_id + "\" (nftables)";
    NETLIB_TRYV(sys::mkdir_p(dir_, 0700));
    const std::string path = record_path(req.network, req.container_id);
    // Old elements go first (re-ADD replaces), outside the main transaction because one of
    // them may be missing; a failure below leaves no element of this container at all.
    if (auto old = read_element_record(path); old && !old->elems.empty()) {
        auto nft = NETLIB_TRY(Nft::open());
        NETLIB_TRYV(delete_recorded(nft, old->elems, what));
    }
    const auto elems = nft_portmap_elements(req);
    std::vector<SetKey> keys;
    std::vector<std::string> values;
    for (const auto& e : elems) {
        keys.emplace_back(e.set, e.key);
        values.push_back(e.value);
    }
    // Recorded before the transaction: a crash after it leaves elements DEL can find.
    NETLIB_TRYV(sys::write_file_atomic(
        path, element_record_text(req.network, req.container_id, keys), 0600));
    const std::string tag = owner_tag(req.network, req.container_id);
    // A new container on a set-up host: its elements alone, written directly (no
    // libnftables). Elements alone also because rewriting the base chains makes the kernel
    // wait for an RCU grace period (~10 ms here).
    if (auto raw = nft_elements(keys, values, tag);
        raw && nft_apply_elements(NftElementOp::Add, kTableName, *raw))
        return {};
    // Otherwise (first ADD, table or a set removed by hand) the fixed part and the elements
    // go in one libnftables transaction.
    std::string script;
    const std::string comment = " comment \"" + tag + "\"";
    for (const auto& e : elems)
        script += "add element " + kT + " " + e.set + " { " + e.key + comment +
                  (e.value.empty() ? "" : " : " + e.value) + " }\n";
    auto nft = Nft::open();
    Expected<> r = nft ? nft->run(base_script() + script, what) : Expected<>(std::unexpected(nft.error()));
    if (!r) ::unlink(path.c_str());
    return r;
}

Expected<> NftPortmap::del(std::string_view network, std::string_view container_id) {
    const std::string path = record_path(network, container_id);
    auto record = read_element_record(path);
    if (!record) return {};
    // All recorded elements in one direct transaction; if that is refused (one of them is
    // gone: a crash between record and transaction, or removed by hand), libnftables
    // deletes them one by one.
    auto raw = nft_elements(record->elems);
    if (!raw || !nft_apply_elements(NftElementOp::Delete, kTableName, *raw)) {
        auto nft = NETLIB_TRY(Nft::open());
        NETLIB_TRYV(delete_recorded(
            nft, record->elems, "remove ports of container \"" + std::string(container_id) + "\" (nftables)"));
    }
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
        return fail_errno(Code::Io, "remove nftables port record " + path, errno);
    return {};
}

Expected<> NftPortmap::check(const PortmapRequest& req) {
    auto nft = NETLIB_TRY(Nft::open());
    for (const auto& e : nft_portmap_elements(req)) {
        auto text =
            NETLIB_TRY(nft.list_text("get element " + kT + " " + e.set + " { " + e.key + " }"));
        if (text.empty() || (!e.value.empty() && text.find(": " + e.value) == std::string::npos))
            return fail(Code::CheckFailed, "check port mappings of container \"" +
                                               req.container_id + "\" in network \"" + req.network +
                                               "\": nftables " + e.set + " lacks { " + e.key +
                                               (e.value.empty() ? "" : " : " + e.value) + " }");
    }
    return {};
}

Expected<> NftPortmap::gc(std::string_view network, std::span<const std::string> valid_ids) {
    for (const auto& id : stale_recorded_ids(dir_, network, valid_ids)) NETLIB_TRYV(del(network, id));
    return {};
}

}  // namespace netlib::nat
