// SCTP mappings end to end, for each backend. This host's kernel has no SCTP sockets
// (CONFIG_IP_SCTP unset) although its netfilter matches SCTP, so the test SKIPs here and
// runs in the VM tier, whose kernel has both (label vm).
#include <gtest/gtest.h>
#include <sys/socket.h>

#include "netrun_test/kernel_feature.hpp"
#include "sockets.hpp"
#include "topology.hpp"

using nlohmann::json;
using pmtest::Proto;
using pmtest::sctp_ask;
using pmtest::Server;
using pmtest::tcp_ask;

namespace {

json sctp(int host, int ctr) {
    return {{"hostPort", host}, {"containerPort", ctr}, {"protocol", "sctp"}};
}

class Sctp : public ::testing::TestWithParam<std::string> {};

TEST_P(Sctp, EveryPathIpv4AndIpv6AndNothingLeftAfterDel) {
    NETRUN_NEED_FEATURE(pmtest::missing_sctp());
    pmtest::Topology topo(GetParam());
    const auto& c1 = topo.attach("c1");
    const auto& c2 = topo.attach("c2");
    Server s4(c1.netns, AF_INET, Proto::Sctp, 80, "c1-sctp");
    Server s6(c1.netns, AF_INET6, Proto::Sctp, 81, "c1-sctp6");
    // A TCP server on the same port: the SCTP mapping must not publish TCP.
    Server t4(c1.netns, AF_INET, Proto::Tcp, 80, "c1-tcp");
    const json maps = json::array({sctp(8080, 80), sctp(8081, 81)});
    auto r = topo.portmap("ADD", "c1", maps);
    ASSERT_TRUE(r.ok()) << r.out << r.err;

    EXPECT_EQ(sctp_ask(topo.outside(), pmtest::kHostV4, 8080), "c1-sctp") << "(a) another host";
    EXPECT_EQ(sctp_ask("", pmtest::kHostV4, 8080), "c1-sctp") << "(b) the host's address";
    EXPECT_EQ(sctp_ask("", "127.0.0.1", 8080), "c1-sctp") << "(c) 127.0.0.1";
    EXPECT_EQ(sctp_ask(c2.netns, pmtest::kHostV4, 8080), "c1-sctp") << "(d) another container";
    EXPECT_EQ(sctp_ask(c1.netns, pmtest::kHostV4, 8080), "c1-sctp") << "(e) hairpin";
    EXPECT_EQ(tcp_ask(topo.outside(), pmtest::kHostV4, 8080), std::nullopt)
        << "an SCTP mapping published TCP";
    // The bridge's IPv6 gateway address is usable once DAD is over.
    testcni::sh(
        "for i in $(seq 50); do ip -6 addr show dev pm0 tentative | grep -q inet6 || break; sleep "
        "0.1; done");
    EXPECT_EQ(sctp_ask(topo.outside(), pmtest::kHostV6, 8081), "c1-sctp6") << "(a) IPv6";
    EXPECT_EQ(sctp_ask(c2.netns, pmtest::kHostV6, 8081), "c1-sctp6") << "(d) IPv6";

    auto chk = topo.portmap("CHECK", "c1", maps);
    EXPECT_TRUE(chk.ok()) << chk.out;
    auto d = topo.portmap("DEL", "c1", json());
    ASSERT_TRUE(d.ok()) << d.out << d.err;
    const auto state = pmtest::nat_state();
    EXPECT_EQ(state.find("sctp"), std::string::npos) << state;
    EXPECT_EQ(sctp_ask(topo.outside(), pmtest::kHostV4, 8080), std::nullopt)
        << "still published after DEL";
    EXPECT_EQ(sctp_ask(topo.outside(), pmtest::kHostV6, 8081), std::nullopt);
}

INSTANTIATE_TEST_SUITE_P(Backends, Sctp, ::testing::Values("iptables", "nftables"));

}  // namespace
