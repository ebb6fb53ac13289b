#include "netlib/cni/result_json.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

using namespace netlib;
using nlohmann::json;

namespace {
cni::Result sample() {
    cni::Result r;
    r.interfaces = {{.name = "cni0", .mac = "aa:bb:cc:dd:ee:01", .mtu = 1500},
                    {.name = "eth0", .mac = "aa:bb:cc:dd:ee:02", .sandbox = "/run/netns/c1"}};
    r.ips = {{.address = *ip::Net::parse("10.1.0.5/24"), .gateway = ip::Addr::parse("10.1.0.1"), .interface = 1},
             {.address = *ip::Net::parse("2001:db8::5/64"), .interface = 1}};
    r.routes = {{.dst = *ip::Net::parse("0.0.0.0/0"), .gw = ip::Addr::parse("10.1.0.1"), .mtu = 1400}};
    r.dns.nameservers = {"10.1.0.1"};
    return r;
}
}  // namespace

TEST(ResultJson, V110HasNewFieldsNoIpVersion) {
    auto j = cni::result_to_json(sample(), "1.1.0");
    EXPECT_EQ(j["cniVersion"], "1.1.0");
    EXPECT_FALSE(j["ips"][0].contains("version"));
    EXPECT_EQ(j["ips"][0]["address"], "10.1.0.5/24");
    EXPECT_EQ(j["ips"][0]["interface"], 1);
    EXPECT_EQ(j["routes"][0]["mtu"], 1400);
    EXPECT_EQ(j["interfaces"][0]["mtu"], 1500);
    EXPECT_EQ(j["interfaces"][1]["sandbox"], "/run/netns/c1");
    EXPECT_FALSE(j["interfaces"][0].contains("sandbox"));
}

TEST(ResultJson, V100DropsRouteMtu) {
    auto j = cni::result_to_json(sample(), "1.0.0");
    EXPECT_FALSE(j["routes"][0].contains("mtu"));
    EXPECT_FALSE(j["interfaces"][0].contains("mtu"));
    EXPECT_FALSE(j["ips"][0].contains("version"));
}

TEST(ResultJson, V04AndV031AddIpVersion) {
    for (auto v : {"0.4.0", "0.3.1", "0.3.0"}) {
        auto j = cni::result_to_json(sample(), v);
        EXPECT_EQ(j["cniVersion"], v);
        EXPECT_EQ(j["ips"][0]["version"], "4");
        EXPECT_EQ(j["ips"][1]["version"], "6");
        EXPECT_FALSE(j["ips"][1].contains("gateway"));
    }
}

TEST(ResultJson, RoundTrip) {
    for (auto v : {"1.1.0", "0.4.0"}) {
        auto back = cni::result_from_json(cni::result_to_json(sample(), v));
        ASSERT_TRUE(back) << back.error().msg;
        EXPECT_EQ(back->ips, sample().ips);
        EXPECT_EQ(back->dns, sample().dns);
    }
}

TEST(ResultJson, IpamResultHasNoInterfacesKey) {
    cni::Result r;
    r.ips = {{.address = *ip::Net::parse("10.1.0.5/24")}};
    auto j = cni::result_to_json(r, "1.0.0");
    EXPECT_FALSE(j.contains("interfaces"));
    EXPECT_FALSE(j["ips"][0].contains("interface"));
    EXPECT_TRUE(j["dns"].is_object());
}

TEST(ResultJson, DecodeErrors) {
    for (auto bad : {R"([1])", R"({"ips":[{"address":"10.0.0.1"}]})", R"({"ips":[{"address":"x/24"}]})",
                     R"({"routes":[{"dst":"0.0.0.0/0","gw":"nope"}]})"}) {
        auto r = cni::result_from_json(json::parse(bad));
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, 6) << bad;
    }
}
