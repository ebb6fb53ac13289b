// Published ports end to end, for each backend: every path a user relies on (another host,
// the host's own address, 127.0.0.1, another container, the container itself), TCP and UDP,
// IPv4 and IPv6, hostIP restriction, CHECK, and that DEL leaves nothing behind.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <cstdio>

#include "sockets.hpp"
#include "topology.hpp"

using nlohmann::json;
using pmtest::Proto;
using pmtest::Server;
using pmtest::tcp_ask;
using pmtest::udp_ask;

namespace {

json mapping(int host, int ctr, const std::string& proto = "tcp", const std::string& host_ip = "") {
    json m = {{"hostPort", host}, {"containerPort", ctr}, {"protocol", proto}};
    if (!host_ip.empty()) m["hostIP"] = host_ip;
    return m;
}

int count(const std::string& hay, const std::string& needle) {
    int n = 0;
    for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
    return n;
}

// A container's NAT state is tagged with its ID in comments (iptables) or element/chain
// comments (nftables); the quoted form cannot match another ID.
std::string tag(const std::string& id) {
    return "id: \\\"" + id + "\\\"";
}
bool has_state_of(const std::string& id) {
    auto s = pmtest::nat_state();
    return s.find(tag(id)) != std::string::npos || s.find("id=" + id + " ") != std::string::npos ||
           s.find("id=" + id + "\"") != std::string::npos;
}

class Paths : public ::testing::TestWithParam<std::string> {};

TEST_P(Paths, Ipv4EveryPathTcpAndUdp) {
    pmtest::Topology topo(GetParam());
    const auto& c1 = topo.attach("c1");
    const auto& c2 = topo.attach("c2");
    Server tcp(c1.netns, AF_INET, Proto::Tcp, 80, "c1-tcp");
    Server udp(c1.netns, AF_INET, Proto::Udp, 53, "c1-udp");
    auto r = topo.portmap("ADD", "c1", json::array({mapping(8080, 80), mapping(5353, 53, "udp")}));
    ASSERT_TRUE(r.ok()) << r.out << r.err;
    EXPECT_EQ(r.json["ips"], c1.result["ips"]) << "portmap must pass prevResult through";

    EXPECT_EQ(tcp_ask(topo.outside(), pmtest::kHostV4, 8080), "c1-tcp") << "(a) from another host";
    EXPECT_EQ(tcp_ask("", pmtest::kHostV4, 8080), "c1-tcp") << "(b) from the host via its address";
    EXPECT_EQ(tcp_ask("", "127.0.0.1", 8080), "c1-tcp") << "(c) from the host via 127.0.0.1";
    EXPECT_EQ(tcp_ask(c2.netns, pmtest::kHostV4, 8080), "c1-tcp") << "(d) from another container";
    EXPECT_EQ(tcp_ask(c1.netns, pmtest::kHostV4, 8080), "c1-tcp") << "(e) hairpin";
    EXPECT_EQ(udp_ask(topo.outside(), pmtest::kHostV4, 5353), "c1-udp") << "UDP from another host";
    EXPECT_EQ(udp_ask(c2.netns, pmtest::kHostV4, 5353), "c1-udp") << "UDP from another container";
    EXPECT_EQ(tcp_ask(topo.outside(), pmtest::kHostV4, 8081), std::nullopt) << "unmapped port";

    auto chk =
        topo.portmap("CHECK", "c1", json::array({mapping(8080, 80), mapping(5353, 53, "udp")}));
    EXPECT_TRUE(chk.ok()) << chk.out;

    auto d = topo.portmap("DEL", "c1", json::array({mapping(8080, 80), mapping(5353, 53, "udp")}));
    ASSERT_TRUE(d.ok()) << d.out << d.err;
    EXPECT_FALSE(has_state_of("c1")) << pmtest::nat_state();
    EXPECT_EQ(tcp_ask(topo.outside(), pmtest::kHostV4, 8080), std::nullopt)
        << "still published after DEL";
    EXPECT_EQ(tcp_ask("", "127.0.0.1", 8080), std::nullopt);
    auto d2 = topo.portmap("DEL", "c1", json());
    EXPECT_TRUE(d2.ok()) << "second DEL: " << d2.out;
}

TEST_P(Paths, Ipv6EveryPathButLocalhost) {
    pmtest::Topology topo(GetParam());
    const auto& c1 = topo.attach("c1");
    const auto& c2 = topo.attach("c2");
    Server tcp(c1.netns, AF_INET6, Proto::Tcp, 80, "c1-tcp6");
    Server udp(c1.netns, AF_INET6, Proto::Udp, 53, "c1-udp6");
    auto r = topo.portmap("ADD", "c1", json::array({mapping(8080, 80), mapping(5353, 53, "udp")}));
    ASSERT_TRUE(r.ok()) << r.out << r.err;
    // The bridge's IPv6 gateway address is usable once DAD is over.
    testcni::sh(
        "for i in $(seq 50); do ip -6 addr show dev pm0 tentative | grep -q inet6 || break; sleep "
        "0.1; done");
    EXPECT_EQ(tcp_ask(topo.outside(), pmtest::kHostV6, 8080), "c1-tcp6") << "(a)";
    EXPECT_EQ(tcp_ask("", pmtest::kHostV6, 8080), "c1-tcp6") << "(b)";
    EXPECT_EQ(tcp_ask(c2.netns, pmtest::kHostV6, 8080), "c1-tcp6") << "(d)";
    EXPECT_EQ(tcp_ask(c1.netns, pmtest::kHostV6, 8080), "c1-tcp6") << "(e)";
    EXPECT_EQ(udp_ask(topo.outside(), pmtest::kHostV6, 5353), "c1-udp6") << "UDP";
    auto d = topo.portmap("DEL", "c1", json());
    ASSERT_TRUE(d.ok()) << d.out;
    EXPECT_FALSE(has_state_of("c1")) << pmtest::nat_state();
    EXPECT_EQ(tcp_ask(topo.outside(), pmtest::kHostV6, 8080), std::nullopt);
}

TEST_P(Paths, HostIpRestrictsTheBindingAndWrongFamilyIsSkipped) {
    pmtest::Topology topo(GetParam());
    testcni::sh("ip addr add 192.168.78.1/24 dev pm-vout");
    const auto& c1 = topo.attach("c1");
    Server tcp(c1.netns, AF_INET, Proto::Tcp, 80, "c1");
    auto r = topo.portmap("ADD", "c1",
                          json::array({mapping(8080, 80, "tcp", pmtest::kHostV4),
                                       mapping(8090, 80, "tcp", "fd99::1")}));
    ASSERT_TRUE(r.ok()) << r.out << r.err;
    EXPECT_EQ(tcp_ask(topo.outside(), pmtest::kHostV4, 8080), "c1");
    EXPECT_EQ(tcp_ask(topo.outside(), "192.168.78.1", 8080), std::nullopt)
        << "hostIP must restrict";
    EXPECT_EQ(tcp_ask(topo.outside(), pmtest::kHostV6, 8080), std::nullopt)
        << "v4 hostIP published on v6";
    EXPECT_EQ(tcp_ask(topo.outside(), pmtest::kHostV6, 8090), std::nullopt) << "unknown v6 hostIP";
    testcni::sh("ip addr del 192.168.78.1/24 dev pm-vout");
}

TEST_P(Paths, CheckPassesForIpv4OnlyAndFailsAfterHandRemoval) {
    pmtest::Topology topo(GetParam(), /*dual_stack=*/false);
    topo.attach("c1");
    const json maps = json::array({mapping(8080, 80)});
    ASSERT_TRUE(topo.portmap("ADD", "c1", maps).ok());
    auto ok = topo.portmap("CHECK", "c1", maps);
    EXPECT_TRUE(ok.ok()) << ok.out;
    if (GetParam() == "iptables")
        testcni::sh(
            "iptables-save -t nat | grep -o 'CNI-DN-[0-9a-f]*' | sort -u | xargs -n1 iptables -t "
            "nat -F");
    else
        testcni::sh("nft flush map inet netrun_portmap dnat4_any");
    auto bad = topo.portmap("CHECK", "c1", maps);
    EXPECT_FALSE(bad.ok());
    EXPECT_EQ(bad.code(), 106) << bad.out;
}

TEST_P(Paths, ReAddReplacesAndBaseChainsStay) {
    pmtest::Topology topo(GetParam());
    topo.attach("c1");
    topo.attach("c2");
    ASSERT_TRUE(topo.portmap("ADD", "c1", json::array({mapping(8080, 80)})).ok());
    ASSERT_TRUE(topo.portmap("ADD", "c2", json::array({mapping(8081, 80)})).ok());
    auto again = topo.portmap("ADD", "c1", json::array({mapping(8082, 80)}));
    ASSERT_TRUE(again.ok()) << again.out;
    auto s = pmtest::nat_state();
    if (GetParam() == "iptables") {
        EXPECT_EQ(count(s, "--dport 8080 ") + count(s, "--dports 8080 "), 0) << s;
        EXPECT_EQ(count(s,
                        "-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment \"dnat name: "
                        "\\\"pmnet\\\" id: \\\"c1\\\""),
                  2)
            << s;
    }
    ASSERT_TRUE(topo.portmap("DEL", "c1", json()).ok());
    s = pmtest::nat_state();
    EXPECT_FALSE(has_state_of("c1")) << s;
    EXPECT_TRUE(has_state_of("c2")) << s;
    if (GetParam() == "iptables") {
        s = testcni::iptables_nat();  // IPv4 only: the shared chains are jumped to once
        EXPECT_EQ(count(s, "-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT"), 1)
            << s;
        EXPECT_EQ(
            count(s, "-A POSTROUTING -m comment --comment \"CNI portfwd requiring masquerade\""), 1)
            << s;
    }
}

// ADD of a new container does not read the tables first (iptables: it checks the shared
// rules with -C instead); shared state removed by hand must still come back on the next ADD.
TEST_P(Paths, SharedRulesRemovedByHandComeBackOnTheNextAdd) {
    pmtest::Topology topo(GetParam(), /*dual_stack=*/false);
    topo.attach("c1");
    const auto& c2 = topo.attach("c2");
    const auto& c3 = topo.attach("c3");
    topo.attach("c4");
    Server tcp2(c2.netns, AF_INET, Proto::Tcp, 80, "c2");
    Server tcp3(c3.netns, AF_INET, Proto::Tcp, 80, "c3");
    ASSERT_TRUE(topo.portmap("ADD", "c1", json::array({mapping(8080, 80)})).ok());
    const std::string jump = "-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT";
    const std::string guard = "-A PREROUTING -j CNI-HOSTPORT-LOCALGUARD";
    // First the nat table's entry jump, then the raw table's guard, each on its own.
    if (GetParam() == "iptables") {
        testcni::sh("iptables -t nat -D PREROUTING " + jump.substr(14));
        ASSERT_EQ(count(testcni::iptables_nat(), jump), 0);
    } else {
        testcni::sh("nft delete table inet netrun_portmap");
    }
    auto r = topo.portmap("ADD", "c2", json::array({mapping(8081, 80)}));
    ASSERT_TRUE(r.ok()) << r.out << r.err;
    EXPECT_EQ(tcp_ask(topo.outside(), pmtest::kHostV4, 8081), "c2") << "(a) from another host";
    if (GetParam() == "iptables") {
        const auto nat = testcni::iptables_nat();  // IPv4 only
        EXPECT_EQ(count(nat, jump), 1) << nat;
        testcni::sh("iptables -t raw -D PREROUTING " + guard.substr(14));
        ASSERT_TRUE(topo.portmap("ADD", "c3", json::array({mapping(8082, 80)})).ok());
        const auto all = pmtest::nat_state();  // the guard is IPv4 only
        EXPECT_EQ(count(all, guard), 1) << all;
        EXPECT_EQ(tcp_ask("", "127.0.0.1", 8082), "c3") << "(c) from the host via 127.0.0.1";
        // And the masquerade jump that hairpin and 127.0.0.1 connections need.
        const std::string masq =
            "-A POSTROUTING -m comment --comment \"CNI portfwd requiring masquerade\" -j "
            "CNI-HOSTPORT-MASQ";
        testcni::sh("iptables -t nat -D POSTROUTING " + masq.substr(15));
        ASSERT_EQ(count(testcni::iptables_nat(), masq), 0);
        ASSERT_TRUE(topo.portmap("ADD", "c4", json::array({mapping(8083, 80)})).ok());
        EXPECT_EQ(count(testcni::iptables_nat(), masq), 1) << testcni::iptables_nat();
    }
}

TEST_P(Paths, SecondContainerOnTheSamePortIsRefusedAndLeavesNothing) {
    pmtest::Topology topo(GetParam());
    topo.attach("c1");
    topo.attach("c2");
    ASSERT_TRUE(topo.portmap("ADD", "c1", json::array({mapping(8080, 80)})).ok());
    auto r = topo.portmap(
        "ADD", "c2", json::array({mapping(9000, 80), mapping(8080, 80, "tcp", pmtest::kHostV4)}));
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.code(), 105) << r.out;
    EXPECT_NE(r.msg().find("\"c1\""), std::string::npos)
        << "error must name the owner: " << r.msg();
    EXPECT_FALSE(has_state_of("c2")) << pmtest::nat_state();
    // Other protocol on the same port is another host port; c1 may re-ADD its own.
    EXPECT_TRUE(topo.portmap("ADD", "c2", json::array({mapping(8080, 80, "udp")})).ok());
    EXPECT_TRUE(topo.portmap("ADD", "c1", json::array({mapping(8080, 80)})).ok());
    // Once c1 is gone the port is free.
    ASSERT_TRUE(topo.portmap("DEL", "c1", json()).ok());
    auto r2 = topo.portmap("ADD", "c2", json::array({mapping(8080, 80)}));
    EXPECT_TRUE(r2.ok()) << r2.out;
}

TEST_P(Paths, GcRemovesAttachmentsNotListed) {
    pmtest::Topology topo(GetParam());
    topo.attach("c1");
    topo.attach("c2");
    ASSERT_TRUE(topo.portmap("ADD", "c1", json::array({mapping(8080, 80)})).ok());
    ASSERT_TRUE(topo.portmap("ADD", "c2", json::array({mapping(8081, 80)})).ok());
    json gc = topo.portmap_conf("none", json());
    gc["cniVersion"] = "1.1.0";
    gc["cni.dev/valid-attachments"] = json::array({{{"containerID", "c2"}, {"ifname", "eth0"}}});
    auto r = testcni::run(
        testcni::Call{.plugin = "portmap", .command = "GC", .container_id = "", .netns = ""}, gc);
    ASSERT_TRUE(r.ok()) << r.out << r.err;
    auto s = pmtest::nat_state();
    EXPECT_FALSE(has_state_of("c1")) << s;
    EXPECT_TRUE(has_state_of("c2")) << s;
}

int conntrack_entries(int port) {
    FILE* f = std::fopen("/proc/net/nf_conntrack", "r");
    if (!f) return -1;
    char line[1024];
    int n = 0;
    const std::string needle = "dport=" + std::to_string(port) + " ";
    while (std::fgets(line, sizeof line, f))
        if (std::string(line).find(needle) != std::string::npos) ++n;
    std::fclose(f);
    return n;
}

TEST_P(Paths, UdpConntrackFlushedOnAddAndDel) {
    pmtest::Topology topo(GetParam());
    const auto& c1 = topo.attach("c1");
    Server udp(c1.netns, AF_INET, Proto::Udp, 53, "c1-udp");
    // A flow to the port before it is published (conntrack on, as on any host with NAT):
    // its entry would keep later datagrams from being DNATed until it times out.
    testcni::sh(
        "nft add table ip pmtest_ct && nft add chain ip pmtest_ct c '{ type filter hook input "
        "priority 0; }' && nft add rule ip pmtest_ct c ct state new counter");
    EXPECT_EQ(udp_ask(topo.outside(), pmtest::kHostV4, 5353), std::nullopt);
    ASSERT_GT(conntrack_entries(5353), 0) << "no conntrack entry to start with";
    auto r = topo.portmap("ADD", "c1", json::array({mapping(5353, 53, "udp")}));
    ASSERT_TRUE(r.ok()) << r.out;
    EXPECT_EQ(udp_ask(topo.outside(), pmtest::kHostV4, 5353), "c1-udp")
        << "stale entry not flushed on ADD";
    ASSERT_TRUE(topo.portmap("DEL", "c1", json::array({mapping(5353, 53, "udp")})).ok());
    EXPECT_EQ(conntrack_entries(5353), 0) << "entries left after DEL";
    testcni::sh("nft delete table ip pmtest_ct");
}

INSTANTIATE_TEST_SUITE_P(Backends, Paths, ::testing::Values("iptables", "nftables"));

}  // namespace
