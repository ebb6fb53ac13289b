// bridge ipMasq with ipMasqBackend "nftables": a container reaches another host masqueraded
// (the other host sees the host's address, and has no route back to the container subnet),
// traffic inside the subnet is not masqueraded, CHECK passes and fails after a hand removal,
// DEL leaves no element or chain of the container, DEL twice succeeds.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include "sockets.hpp"
#include "topology.hpp"

using nlohmann::json;

namespace {

json conf() {
    return json::parse(
        R"({"cniVersion":"1.0.0","name":"mqnet","type":"bridge","bridge":"mq0","isGateway":true,
      "ipMasq":true,"ipMasqBackend":"nftables","ipam":{"type":"host-local","dataDir":"/run/mq-ipam",
      "ranges":[[{"subnet":"10.33.0.0/24"}]],"routes":[{"dst":"0.0.0.0/0"}]}})");
}

std::string ruleset() {
    FILE* f = ::popen("nft list table inet netrun_masq 2>&1", "r");
    std::string out;
    char buf[4096];
    while (f && std::fgets(buf, sizeof buf, f)) out += buf;
    if (f) ::pclose(f);
    return out;
}

}  // namespace

TEST(BridgeNftMasq, MasqueradesToOtherHostsAndDelRemovesEverything) {
    // The "outside" netns has no route to 10.33.0.0/24: only a masqueraded connection works.
    pmtest::Topology topo("nftables", false);
    testcni::sh("ip -n pm-out route del default");
    testcni::sh("ip netns add mq-c1");
    testcni::Call add{
        .plugin = "bridge", .command = "ADD", .container_id = "mq1", .netns = "/run/netns/mq-c1"};
    auto r = testcni::run(add, conf());
    ASSERT_TRUE(r.ok()) << r.out << r.err;
    pmtest::Server srv(topo.outside(), AF_INET, pmtest::Proto::Tcp, 7000, "outside");
    EXPECT_EQ(pmtest::tcp_ask("/run/netns/mq-c1", "192.168.77.2", 7000), "outside");
    auto rules = ruleset();
    EXPECT_NE(rules.find("netrun-masq net=mqnet id=mq1"), std::string::npos) << rules;
    EXPECT_NE(rules.find("ip daddr 10.33.0.0/24 accept"), std::string::npos) << rules;

    json chk = conf();
    chk["prevResult"] = r.json;
    auto c = testcni::run(testcni::Call{.plugin = "bridge",
                                        .command = "CHECK",
                                        .container_id = "mq1",
                                        .netns = "/run/netns/mq-c1"},
                          chk);
    EXPECT_TRUE(c.ok()) << c.out;
    testcni::sh("nft flush map inet netrun_masq src4");
    auto bad = testcni::run(testcni::Call{.plugin = "bridge",
                                          .command = "CHECK",
                                          .container_id = "mq1",
                                          .netns = "/run/netns/mq-c1"},
                            chk);
    EXPECT_FALSE(bad.ok());
    EXPECT_EQ(pmtest::tcp_ask("/run/netns/mq-c1", "192.168.77.2", 7000), std::nullopt)
        << "not masqueraded any more";

    testcni::Call del = add;
    del.command = "DEL";
    auto d = testcni::run(del, conf());
    ASSERT_TRUE(d.ok()) << d.out;
    rules = ruleset();
    EXPECT_EQ(rules.find("mq1"), std::string::npos) << rules;
    EXPECT_EQ(rules.find("masq-"), std::string::npos) << rules;
    EXPECT_TRUE(testcni::run(del, conf()).ok()) << "DEL twice";
    testcni::sh("ip netns del mq-c1; ip link del mq0");
}
