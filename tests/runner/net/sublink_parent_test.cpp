// discover_parent against real links in the test's private netns (root).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "net/sublink_network.hpp"

namespace nr = netrun::net;

namespace {

void sh(const std::string& cmd) {
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

class DiscoverParent : public ::testing::Test {
  protected:
    void SetUp() override {
        // Our netns is private (NETNS_MAIN); the veth peer stays here too, unaddressed.
        sh("ip link add up0 type veth peer name up0p && ip link set up0 up && ip link set up0p up");
        sh("ip link add side0 type veth peer name side0p && ip link set side0 up");
        sh("ip addr add fe80::5/64 dev up0 && ip addr add 192.168.77.20/24 dev up0");
        sh("ip addr add 10.5.0.9/16 dev side0");
    }
    void TearDown() override {
        (void)std::system("ip link del up0 2>/dev/null; ip link del side0 2>/dev/null");
    }
};

}  // namespace

TEST_F(DiscoverParent, NoDefaultRouteIsCode7) {
    auto p = nr::discover_parent("");
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error().code, 7);
    EXPECT_NE(p.error().msg.find("no IPv4 default route"), std::string::npos) << p.error().msg;
}

TEST_F(DiscoverParent, DefaultRouteInterfaceWithGateway) {
    sh("ip route add default via 192.168.77.1 dev up0");
    auto p = nr::discover_parent("");
    ASSERT_TRUE(p) << p.error().msg;
    EXPECT_EQ(p->name, "up0");
    EXPECT_EQ(p->address.str(), "192.168.77.20/24");
    ASSERT_TRUE(p->gateway);
    EXPECT_EQ(p->gateway->str(), "192.168.77.1");
}

TEST_F(DiscoverParent, NamedParentWithoutTheDefaultRouteHasNoGateway) {
    sh("ip route add default via 192.168.77.1 dev up0");
    auto p = nr::discover_parent("side0");
    ASSERT_TRUE(p) << p.error().msg;
    EXPECT_EQ(p->name, "side0");
    EXPECT_EQ(p->address.str(), "10.5.0.9/16");
    EXPECT_FALSE(p->gateway);
}

TEST_F(DiscoverParent, MissingParentAndParentWithoutIPv4) {
    auto missing = nr::discover_parent("nosuch0");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, 7);
    EXPECT_NE(missing.error().msg.find("\"nosuch0\" does not exist"), std::string::npos)
        << missing.error().msg;
    auto bare = nr::discover_parent("up0p");
    ASSERT_FALSE(bare);
    EXPECT_EQ(bare.error().code, 7);
    EXPECT_NE(bare.error().msg.find("no IPv4 address"), std::string::npos) << bare.error().msg;
}

TEST_F(DiscoverParent, GeneratedConflistExcludesTheHost) {
    sh("ip route add default via 192.168.77.1 dev up0");
    auto p = nr::discover_parent("");
    ASSERT_TRUE(p);
    auto c = nr::sublink_conflist({.kind = "macvlan", .parent = "", .mode = "bridge"}, *p);
    ASSERT_TRUE(c) << c.error().msg;
    EXPECT_EQ((*c)["name"], "netrun-macvlan-up0");
    const auto& set = (*c)["plugins"][0]["ipam"]["ranges"][0];
    ASSERT_EQ(set.size(), 2u);
    EXPECT_EQ(set[0]["rangeEnd"], "192.168.77.19");
    EXPECT_EQ(set[1]["rangeStart"], "192.168.77.21");
}
