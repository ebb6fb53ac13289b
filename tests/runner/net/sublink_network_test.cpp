// --net=macvlan/ipvlan spec parsing and the generated conflist (no root).
#include "net/sublink_network.hpp"

#include <gtest/gtest.h>

namespace nr = netrun::net;
namespace ip = netlib::ip;
using nlohmann::json;

namespace {

nr::ParentInfo parent(const char* addr, const char* gw) {
    nr::ParentInfo p{.name = "eth0", .address = *ip::Net::parse(addr), .gateway = std::nullopt};
    if (gw) p.gateway = ip::Addr::parse(gw);
    return p;
}

// The range set as "start-end" strings.
std::vector<std::string> spans(const json& set) {
    std::vector<std::string> out;
    for (const auto& r : set)
        out.push_back(r["rangeStart"].get<std::string>() + "-" + r["rangeEnd"].get<std::string>());
    return out;
}

json range_set(const json& conflist) {
    return conflist["plugins"][0]["ipam"]["ranges"][0];
}

nr::SublinkNetworkSpec macvlan() {
    return {.kind = "macvlan", .parent = "eth0", .mode = "bridge"};
}

}  // namespace

TEST(ParseSublinkNetwork, KindsParentsAndModes) {
    struct Case {
        const char* in;
        const char* kind;
        const char* parent;
        const char* mode;
    } cases[] = {
        {"macvlan", "macvlan", "", "bridge"},
        {"macvlan:eth0", "macvlan", "eth0", "bridge"},
        {"macvlan:eth0,mode=vepa", "macvlan", "eth0", "vepa"},
        {"ipvlan", "ipvlan", "", "l2"},
        {"ipvlan:eth0", "ipvlan", "eth0", "l2"},
        {"ipvlan:eth0,mode=l3", "ipvlan", "eth0", "l3"},
        {"ipvlan,mode=l3s", "ipvlan", "", "l3s"},
    };
    for (const auto& c : cases) {
        auto r = nr::parse_sublink_network(c.in);
        ASSERT_TRUE(r) << c.in << ": " << r.error().msg;
        ASSERT_TRUE(r->has_value()) << c.in;
        EXPECT_EQ((*r)->kind, c.kind) << c.in;
        EXPECT_EQ((*r)->parent, c.parent) << c.in;
        EXPECT_EQ((*r)->mode, c.mode) << c.in;
    }
}

TEST(ParseSublinkNetwork, OtherNetworksAreNotSublinks) {
    for (const char* in :
         {"bridge", "netrun", "macvlanfoo", "ipvlan2", "host", "container:web", ""}) {
        auto r = nr::parse_sublink_network(in);
        ASSERT_TRUE(r) << in;
        EXPECT_FALSE(r->has_value()) << in;
    }
}

TEST(ParseSublinkNetwork, BadModesAndOptionsAreCode7NamingTheFlag) {
    for (const char* in :
         {"macvlan,mode=l3", "ipvlan:eth0,mode=bridge", "ipvlan,mode=", "macvlan,foo=1",
          "macvlan,mode", "macvlan:", "macvlan:a/b", "macvlan:abcdefghijklmnop"}) {
        auto r = nr::parse_sublink_network(in);
        ASSERT_FALSE(r) << in;
        EXPECT_EQ(r.error().code, 7) << in;
        EXPECT_NE(r.error().msg.find(std::string("--net ") + in), std::string::npos)
            << r.error().msg;
    }
}

TEST(SublinkConflist, MacvlanShape) {
    auto c = nr::sublink_conflist(macvlan(), parent("192.168.1.50/24", "192.168.1.1"));
    ASSERT_TRUE(c) << c.error().msg;
    EXPECT_EQ((*c)["cniVersion"], "1.1.0");
    EXPECT_EQ((*c)["name"], "netrun-macvlan-eth0");
    ASSERT_EQ((*c)["plugins"].size(), 1u);
    const json& p = (*c)["plugins"][0];
    EXPECT_EQ(p["type"], "macvlan");
    EXPECT_EQ(p["master"], "eth0");
    EXPECT_EQ(p["mode"], "bridge");
    EXPECT_EQ(p["capabilities"], (json{{"ips", true}, {"mac", true}}));
    EXPECT_EQ(p["ipam"]["type"], "host-local");
    EXPECT_EQ(p["ipam"]["routes"], json::parse(R"([{"dst":"0.0.0.0/0"}])"));
    EXPECT_EQ(spans(range_set(*c)),
              (std::vector<std::string>{"192.168.1.2-192.168.1.49", "192.168.1.51-192.168.1.254"}));
    for (const auto& r : range_set(*c)) {
        EXPECT_EQ(r["subnet"], "192.168.1.0/24");
        EXPECT_EQ(r["gateway"], "192.168.1.1");
    }
}

TEST(SublinkConflist, NamesCarryNonDefaultModes) {
    auto p = parent("10.0.0.5/24", "10.0.0.1");
    auto l3 = nr::sublink_conflist({.kind = "ipvlan", .parent = "", .mode = "l3"}, p);
    ASSERT_TRUE(l3);
    EXPECT_EQ((*l3)["name"], "netrun-ipvlan-eth0-l3");
    EXPECT_EQ((*l3)["plugins"][0]["capabilities"], (json{{"ips", true}}));
    auto l2 = nr::sublink_conflist({.kind = "ipvlan", .parent = "", .mode = "l2"}, p);
    ASSERT_TRUE(l2);
    EXPECT_EQ((*l2)["name"], "netrun-ipvlan-eth0");
    auto vepa = nr::sublink_conflist({.kind = "macvlan", .parent = "", .mode = "vepa"}, p);
    ASSERT_TRUE(vepa);
    EXPECT_EQ((*vepa)["name"], "netrun-macvlan-eth0-vepa");
}

TEST(SublinkConflist, IpvlanL3HasADefaultRouteButNoGateway) {
    auto c = nr::sublink_conflist({.kind = "ipvlan", .parent = "eth0", .mode = "l3"},
                                  parent("10.0.0.5/24", "10.0.0.1"));
    ASSERT_TRUE(c);
    EXPECT_EQ((*c)["plugins"][0]["ipam"]["routes"], json::parse(R"([{"dst":"0.0.0.0/0"}])"));
    for (const auto& r : range_set(*c)) EXPECT_FALSE(r.contains("gateway")) << r.dump();
    // The gateway machine's address is still not handed out.
    EXPECT_EQ(spans(range_set(*c)),
              (std::vector<std::string>{"10.0.0.2-10.0.0.4", "10.0.0.6-10.0.0.254"}));
}

TEST(SublinkConflist, ExclusionsAtStartEndMiddleAndAdjacent) {
    struct Case {
        const char* addr;
        const char* gw;
        std::vector<std::string> want;
    } cases[] = {
        // host at the start, gateway at the end
        {"10.1.0.1/24", "10.1.0.254", {"10.1.0.2-10.1.0.253"}},
        // host at the end, gateway at the start
        {"10.1.0.254/24", "10.1.0.1", {"10.1.0.2-10.1.0.253"}},
        // both in the middle
        {"10.1.0.100/24",
         "10.1.0.10",
         {"10.1.0.1-10.1.0.9", "10.1.0.11-10.1.0.99", "10.1.0.101-10.1.0.254"}},
        // adjacent: no empty range between them
        {"10.1.0.11/24", "10.1.0.10", {"10.1.0.1-10.1.0.9", "10.1.0.12-10.1.0.254"}},
        // host address given with host bits and a /16
        {"172.20.3.4/16", "172.20.0.1", {"172.20.0.2-172.20.3.3", "172.20.3.5-172.20.255.254"}},
        // /30: two usable addresses, one left
        {"10.2.0.1/30", nullptr, {"10.2.0.2-10.2.0.2"}},
    };
    for (const auto& c : cases) {
        auto r = nr::sublink_conflist(macvlan(), parent(c.addr, c.gw));
        ASSERT_TRUE(r) << c.addr << ": " << r.error().msg;
        EXPECT_EQ(spans(range_set(*r)), c.want) << c.addr;
    }
}

TEST(SublinkConflist, NoRoomIsCode7) {
    // /30 with host and gateway: nothing left.
    auto full = nr::sublink_conflist(macvlan(), parent("10.2.0.1/30", "10.2.0.2"));
    ASSERT_FALSE(full);
    EXPECT_EQ(full.error().code, 7);
    EXPECT_NE(full.error().msg.find("10.2.0.0/30"), std::string::npos) << full.error().msg;
    for (const char* tiny : {"10.2.0.1/31", "10.2.0.1/32"}) {
        auto r = nr::sublink_conflist(macvlan(), parent(tiny, nullptr));
        ASSERT_FALSE(r) << tiny;
        EXPECT_EQ(r.error().code, 7);
    }
}

TEST(SublinkConflist, GatewayOutsideTheSubnetGivesNoDefaultRoute) {
    auto c = nr::sublink_conflist(macvlan(), parent("10.3.0.5/24", "10.99.0.1"));
    ASSERT_TRUE(c);
    const json& ipam = (*c)["plugins"][0]["ipam"];
    EXPECT_FALSE(ipam.contains("routes")) << ipam.dump();
    for (const auto& r : range_set(*c)) EXPECT_FALSE(r.contains("gateway"));
    EXPECT_EQ(spans(range_set(*c)),
              (std::vector<std::string>{"10.3.0.1-10.3.0.4", "10.3.0.6-10.3.0.254"}));
}

TEST(SublinkConflist, NoGatewayAtAll) {
    auto c = nr::sublink_conflist(macvlan(), parent("10.3.0.5/24", nullptr));
    ASSERT_TRUE(c);
    EXPECT_FALSE((*c)["plugins"][0]["ipam"].contains("routes"));
}
