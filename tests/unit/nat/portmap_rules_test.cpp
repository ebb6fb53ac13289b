// Port-mapping rule generation without root: the iptables batches (nat + raw guard), their
// inverse for DEL/GC, CHECK against a saved table, and the nftables elements.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "netlib/nat/iptables_portmap_rules.hpp"
#include "netlib/nat/nft_portmap.hpp"
#include "netlib/nat/nft_batch.hpp"

using namespace netlib;
using namespace netlib::nat;

namespace {

PortmapRequest request() {
    PortmapRequest r;
    r.network = "net";
    r.container_id = "ctr";
    r.container_ips = {*ip::Net::parse("10.22.0.5/24"), *ip::Net::parse("fd22::5/64")};
    r.host_ifaces = {"cni0"};
    r.mappings = {
        {.host_port = 8080, .container_port = 80, .protocol = "tcp", .host_ip = std::nullopt},
        {.host_port = 5353,
         .container_port = 53,
         .protocol = "udp",
         .host_ip = ip::Addr::parse("192.168.1.1")}};
    return r;
}

SavedTable parse(const std::string& batch, const std::string& table) {
    // A batch replayed as iptables-save output: what the kernel would hold afterwards
    // (deletes aside), good enough for CHECK and DEL round trips.
    std::string text;
    for (std::size_t pos = 0; pos < batch.size();) {
        auto nl = batch.find('\n', pos);
        std::string line = batch.substr(pos, nl - pos);
        pos = nl + 1;
        if (line.starts_with("-D ")) continue;
        text += line + "\n";
    }
    return *parse_iptables_save(text, table);
}

int count(const std::string& hay, const std::string& needle) {
    int n = 0;
    for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
    return n;
}

}  // namespace

TEST(PortmapRules, AddBatchOnEmptyTablesCreatesBaseChainsGuardAndContainerChain) {
    auto b = portmap_add_batch(request(), ip::Family::V4, {}, {});
    const auto chain = dnat_chain_name("net", "ctr");
    EXPECT_EQ(chain.size(), 28u);
    EXPECT_NE(b.find(":CNI-HOSTPORT-DNAT - [0:0]"), std::string::npos) << b;
    EXPECT_NE(b.find("-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT"),
              std::string::npos);
    EXPECT_NE(b.find("-A OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT"),
              std::string::npos);
    EXPECT_NE(b.find("--set-xmark 0x2000/0x2000"), std::string::npos);
    EXPECT_NE(
        b.find("-A " + chain + " -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.22.0.5:80"),
        std::string::npos)
        << b;
    EXPECT_NE(
        b.find(
            "-A " + chain +
            " -d 192.168.1.1/32 -p udp -m udp --dport 5353 -j DNAT --to-destination 10.22.0.5:53"),
        std::string::npos)
        << b;
    EXPECT_NE(b.find("-s 10.22.0.0/24 -p tcp -m tcp --dport 8080 -j CNI-HOSTPORT-SETMARK"),
              std::string::npos)
        << b;
    EXPECT_NE(b.find("-s 127.0.0.1/32 -p tcp"), std::string::npos);
    EXPECT_NE(b.find("*raw\n:CNI-HOSTPORT-LOCALGUARD"), std::string::npos);
    EXPECT_NE(
        b.find(
            "--comment \"dnat name: \\\"net\\\" id: \\\"ctr\\\"\" -m tcp --dport 8080 -j " +
            chain),
        std::string::npos)
        << b;
}

TEST(PortmapRules, Ipv6SkipsTheV4HostIpLocalhostAndGuard) {
    auto b = portmap_add_batch(request(), ip::Family::V6, {}, {});
    EXPECT_NE(b.find("--to-destination [fd22::5]:80"), std::string::npos) << b;
    EXPECT_EQ(b.find("5353"), std::string::npos) << "IPv4 hostIP published on IPv6";
    EXPECT_EQ(b.find("127.0.0.1"), std::string::npos);
    EXPECT_EQ(b.find("*raw"), std::string::npos);
}

TEST(PortmapRules, ExistingBaseChainsAreNotRedeclared) {
    auto first = portmap_add_batch(request(), ip::Family::V4, {}, {});
    auto nat = parse(first.substr(0, first.find("*raw")), "nat");
    auto raw = parse(first.substr(first.find("*raw")), "raw");
    auto again = portmap_add_batch(request(), ip::Family::V4, nat, raw);
    EXPECT_EQ(again.find(":CNI-HOSTPORT-DNAT"), std::string::npos) << again;
    EXPECT_EQ(again.find("-A PREROUTING"), std::string::npos);
    EXPECT_EQ(again.find("*raw"), std::string::npos);
    EXPECT_EQ(count(again, "-D CNI-HOSTPORT-DNAT"), 2) << "old jumps replaced: " << again;
}

TEST(PortmapRules, CheckDelAndGcRoundTrip) {
    auto req = request();
    auto b = portmap_add_batch(req, ip::Family::V4, {}, {});
    auto nat = parse(b.substr(0, b.find("*raw")), "nat");
    EXPECT_TRUE(portmap_check_rules(req, ip::Family::V4, nat));
    auto other = req;
    other.mappings[0].container_port = 81;
    auto bad = portmap_check_rules(other, ip::Family::V4, nat);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, static_cast<int>(Code::CheckFailed));
    auto del = portmap_del_batch("net", "ctr", nat);
    EXPECT_EQ(count(del, "-D CNI-HOSTPORT-DNAT"), 2) << del;
    EXPECT_NE(del.find("-X " + dnat_chain_name("net", "ctr")), std::string::npos);
    EXPECT_EQ(portmap_del_batch("net", "other", nat), "");
    std::vector<std::string> valid{"ctr"};
    EXPECT_EQ(portmap_gc_batch("net", valid, nat), "");
    EXPECT_EQ(portmap_gc_batch("net", {}, nat), del);
    EXPECT_EQ(portmap_gc_batch("othernet", {}, nat), "");
}

// One port per protocol: the jump matches it with the protocol's own match (no multiport
// extension to load); several ports share one multiport jump, 15 at most. CHECK accepts both.
TEST(PortmapRules, EntryJumpUsesMultiportOnlyForSeveralPorts) {
    auto req = request();
    const std::string chain = dnat_chain_name("net", "ctr");
    auto one = portmap_add_batch(req, ip::Family::V4, {}, {});
    EXPECT_EQ(count(one, "multiport"), 0) << one;
    EXPECT_EQ(count(one, "-m udp --dport 5353 -j " + chain), 1) << one;
    for (std::uint16_t p = 9000; p < 9016; ++p)
        req.mappings.push_back({.host_port = p, .container_port = 80, .protocol = "tcp", .host_ip = {}});
    auto many = portmap_add_batch(req, ip::Family::V4, {}, {});
    EXPECT_EQ(count(many, "-m multiport --dports 8080,9000,"), 1) << many;
    EXPECT_EQ(count(many, "-m multiport --dports 9014,9015 -j " + chain), 1) << many;
    EXPECT_EQ(count(many, "-m udp --dport 5353 -j " + chain), 1) << many;
    for (const auto& [r, b] : {std::pair{request(), one}, std::pair{req, many}}) {
        auto nat = parse(b.substr(0, b.find("*raw")), "nat");
        EXPECT_TRUE(portmap_check_rules(r, ip::Family::V4, nat));
    }
    // A jump for another port does not satisfy CHECK.
    auto nat = parse(one.substr(0, one.find("*raw")), "nat");
    auto other = request();
    other.mappings[0].host_port = 8081;
    EXPECT_FALSE(portmap_check_rules(other, ip::Family::V4, nat));
}

// The blind DEL: every jump the add batch appends to CNI-HOSTPORT-DNAT becomes a -D, the
// container chain is flushed and removed, the shared chains are left alone.
TEST(PortmapRules, KnownDelBatchInvertsTheContainerPart) {
    const auto req = request();
    const std::string add = portmap_add_batch(req, ip::Family::V4, SavedTable{}, SavedTable{});
    const std::string del = portmap_known_del_batch(req, ip::Family::V4);
    const std::string chain = dnat_chain_name(req.network, req.container_id);
    int jumps = 0;
    for (std::size_t at = 0; (at = add.find("-A CNI-HOSTPORT-DNAT ", at)) != std::string::npos;
         ++at) {
        const std::string line = add.substr(at + 3, add.find('\n', at) - at - 3);
        EXPECT_NE(del.find("-D " + line + "\n"), std::string::npos) << line << "\n" << del;
        ++jumps;
    }
    EXPECT_GT(jumps, 0);
    EXPECT_TRUE(del.ends_with("-F " + chain + "\n-X " + chain + "\nCOMMIT\n")) << del;
    for (const char* shared :
         {"CNI-HOSTPORT-SETMARK", "CNI-HOSTPORT-MASQ", "PREROUTING", "OUTPUT", "POSTROUTING"})
        EXPECT_EQ(del.find(shared), std::string::npos) << shared << " touched:\n" << del;
    auto none = req;
    none.mappings.clear();
    EXPECT_EQ(portmap_known_del_batch(none, ip::Family::V4), "");
}

// Lines of a batch that start with `prefix`, with the prefix cut off.
std::vector<std::string> lines_after(const std::string& batch, const std::string& prefix) {
    std::vector<std::string> out;
    for (std::size_t at = 0; at < batch.size();) {
        const auto end = batch.find('\n', at);
        const std::string line = batch.substr(at, end - at);
        if (line.starts_with(prefix)) out.push_back(line.substr(prefix.size()));
        at = end == std::string::npos ? batch.size() : end + 1;
    }
    return out;
}

// The unread ADD: every shared rule the batch for empty tables creates is checked with -C
// (so the batch is refused on a host that lacks any of them), the container's rules are
// the same, its chain is created with -N (refused if an earlier ADD left one), and nothing
// is deleted or declared (no flush, no RCU wait in the commit).
TEST(PortmapRules, NewContainerBatchChecksSharedRulesAndCreatesItsChain) {
    auto variants = std::vector<PortmapRequest>(4, request());
    variants[1].snat = false;
    variants[2].external_setmark_chain = "MY-MARK";
    variants[3].masq_all = true;
    for (const auto& req : variants) {
        for (auto f : {ip::Family::V4, ip::Family::V6}) {
            const std::string chain = dnat_chain_name(req.network, req.container_id);
            const std::string full = portmap_add_batch(req, f, {}, {});
            const std::string unread = portmap_new_container_add_batch(req, f);
            std::vector<std::string> shared, mine;
            for (auto rule : lines_after(full, "-A ")) {
                const bool own = rule.starts_with(chain + " ") || rule.ends_with("-j " + chain);
                (own ? mine : shared).push_back(rule);
            }
            for (auto rule : lines_after(full, "-I POSTROUTING 1 "))
                shared.push_back("POSTROUTING " + rule);
            auto checked = lines_after(unread, "-C ");
            std::sort(checked.begin(), checked.end());
            std::sort(shared.begin(), shared.end());
            EXPECT_EQ(checked, shared) << unread;
            EXPECT_EQ(lines_after(unread, "-A "), mine);
            EXPECT_EQ(lines_after(unread, "-N "), std::vector<std::string>{chain});
            EXPECT_EQ(lines_after(unread, ":"), std::vector<std::string>{});
            EXPECT_EQ(lines_after(unread, "-D "), std::vector<std::string>{});
            EXPECT_EQ(lines_after(unread, "-I "), std::vector<std::string>{});
            // The raw guard is checked before the nat table, which iptables-legacy commits
            // on its own.
            EXPECT_EQ(unread.starts_with("*raw\n"), needs_local_guard(req, f)) << unread;
        }
    }
    auto none = request();
    none.mappings.clear();
    EXPECT_EQ(portmap_new_container_add_batch(none, ip::Family::V4), "");
}

// When the caller has read the shared rules from nf_tables, the batch checks nothing (a
// -C would make iptables-nft fetch the whole table) and is the nat table alone.
TEST(PortmapRules, NewContainerBatchLeavesOutChecksWhenKnown) {
    const auto req = request();
    const std::string checked = portmap_new_container_add_batch(req, ip::Family::V4);
    const std::string known = portmap_new_container_add_batch(req, ip::Family::V4, true);
    EXPECT_TRUE(known.starts_with("*nat\n")) << known;
    EXPECT_EQ(known.find("*raw"), std::string::npos);
    EXPECT_EQ(lines_after(known, "-C "), std::vector<std::string>{}) << known;
    EXPECT_EQ(lines_after(known, "-A "), lines_after(checked, "-A "));
    EXPECT_EQ(lines_after(known, "-N "), lines_after(checked, "-N "));
}

TEST(PortmapRules, SnatOffAndMasqAllAndExternalMark) {
    auto req = request();
    req.snat = false;
    auto b = portmap_add_batch(req, ip::Family::V4, {}, {});
    EXPECT_EQ(b.find("SETMARK"), std::string::npos) << b;
    EXPECT_EQ(b.find("*raw"), std::string::npos);
    req.snat = true;
    req.masq_all = true;
    req.external_setmark_chain = "MY-MARK";
    req.mark_masq_bit = 5;
    b = portmap_add_batch(req, ip::Family::V4, {}, {});
    EXPECT_NE(b.find("-p tcp -m tcp --dport 8080 -j MY-MARK"), std::string::npos) << b;
    EXPECT_EQ(b.find(":CNI-HOSTPORT-SETMARK"), std::string::npos);
    EXPECT_NE(b.find("--mark 0x20/0x20 -j MASQUERADE"), std::string::npos);
}

TEST(PortmapRules, ConditionsGoOnTheEntryJump) {
    auto req = request();
    req.conditions_v4 = {"-m", "set", "--match-set", "allowed src"};
    auto b = portmap_add_batch(req, ip::Family::V4, {}, {});
    EXPECT_NE(b.find("-A CNI-HOSTPORT-DNAT -p tcp -m set --match-set allowed src -m comment"),
              std::string::npos)
        << b;
}

TEST(NftPortmapElements, OnePerMappingAndMasqueradeKeys) {
    auto e = nft_portmap_elements(request());
    auto has = [&](const std::string& set, const std::string& key, const std::string& value) {
        return std::any_of(e.begin(), e.end(), [&](const NftElement& x) {
            return x.set == set && x.key == key && x.value == value;
        });
    };
    EXPECT_TRUE(has("dnat4_any", "tcp . 8080", "10.22.0.5 . 80"));
    EXPECT_TRUE(has("dnat4_ip", "192.168.1.1 . udp . 5353", "10.22.0.5 . 53"));
    EXPECT_TRUE(has("dnat6_any", "tcp . 8080", "fd22::5 . 80"));
    EXPECT_TRUE(has("hp4", "\"cni0\" . 10.22.0.5", ""));
    EXPECT_TRUE(has("self6", "fd22::5 . fd22::5", ""));
    EXPECT_TRUE(has("lo4", "10.22.0.5", ""));
    EXPECT_FALSE(
        std::any_of(e.begin(), e.end(), [](const NftElement& x) { return x.set == "dnat6_ip"; }));
    auto req = request();
    req.masq_all = true;
    e = nft_portmap_elements(req);
    EXPECT_TRUE(has("all4", "10.22.0.5", ""));
    EXPECT_FALSE(
        std::any_of(e.begin(), e.end(), [](const NftElement& x) { return x.set == "lo4"; }));
}

// Keys and values as nf_tables holds them: components padded to 4 bytes, ports and
// addresses in network order, interface names as 16 NUL-padded bytes.
TEST(NftEncodeData, ConcatenationsArePaddedPerComponent) {
    using B = std::vector<std::uint8_t>;
    EXPECT_EQ(nft_encode_data("tcp . 8080"), (B{6, 0, 0, 0, 0x1f, 0x90, 0, 0}));
    EXPECT_EQ(nft_encode_data("10.22.0.5 . 80"), (B{10, 22, 0, 5, 0, 80, 0, 0}));
    EXPECT_EQ(nft_encode_data("192.168.1.1 . udp . 5353"),
              (B{192, 168, 1, 1, 17, 0, 0, 0, 0x14, 0xe9, 0, 0}));
    EXPECT_EQ(nft_encode_data("sctp . 1"), (B{132, 0, 0, 0, 0, 1, 0, 0}));
    auto v6 = nft_encode_data("fd22::5 . 80");
    ASSERT_TRUE(v6);
    ASSERT_EQ(v6->size(), 20u);
    EXPECT_EQ((*v6)[0], 0xfd);
    EXPECT_EQ((*v6)[15], 5);
    EXPECT_EQ((*v6)[17], 80);
    auto hp = nft_encode_data("\"cni0\" . 10.22.0.5");
    ASSERT_TRUE(hp);
    B want(16, 0);
    std::copy_n("cni0", 4, want.begin());
    want.insert(want.end(), {10, 22, 0, 5});
    EXPECT_EQ(*hp, want);
    // Every key nft_portmap_elements() makes is one the encoder knows.
    auto req = request();
    for (bool all : {false, true}) {
        req.masq_all = all;
        for (const auto& e : nft_portmap_elements(req)) {
            EXPECT_TRUE(nft_encode_data(e.key)) << e.key;
            if (!e.value.empty()) {
                EXPECT_TRUE(nft_encode_data(e.value)) << e.value;
            }
        }
    }
    for (const char* bad : {"", "tcp .", "icmp . 1", "70000", "\"\"", "\"an-interface-name\"", "1.2.3"})
        EXPECT_FALSE(nft_encode_data(bad)) << bad;
}
