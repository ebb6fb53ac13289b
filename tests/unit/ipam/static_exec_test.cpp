// The built static executable, exec'd like a runtime does.
#include <gtest/gtest.h>

#include "plugin_runner.hpp"

using namespace ipam::testing;
using nlohmann::json;

namespace {

struct StaticExec : ::testing::Test {
    TempDir tmp;
    std::string netns = tmp.path() + "/netns";
    void SetUp() override { spit(netns, ""); }
    Outcome st(const Call& c, const std::string& conf) { return run(our_static(), c, conf, netns); }

    static std::string config(const std::string& ipam, const std::string& top = "") {
        return R"({"cniVersion":"1.0.0","name":"net1","type":"static",)" + top + R"("ipam":)" +
               ipam + "}";
    }
};

const char* kIpam = R"({"type":"static",
    "addresses":[{"address":"10.10.0.1/24","gateway":"10.10.0.254"},{"address":"3ffe:ffff:0:1::1/64"}],
    "routes":[{"dst":"0.0.0.0/0"},{"dst":"192.168.0.0/16","gw":"10.10.5.1"}],
    "dns":{"nameservers":["8.8.8.8"],"domain":"example.com","search":["example.com"]}})";

TEST_F(StaticExec, AddReturnsConfiguredAddresses) {
    auto r = st({}, config(kIpam));
    ASSERT_EQ(r.status, 0) << r.out << r.err;
    json want = json::parse(R"({"cniVersion":"1.0.0",
        "ips":[{"address":"10.10.0.1/24","gateway":"10.10.0.254"},{"address":"3ffe:ffff:0:1::1/64"}],
        "routes":[{"dst":"0.0.0.0/0"},{"dst":"192.168.0.0/16","gw":"10.10.5.1"}],
        "dns":{"nameservers":["8.8.8.8"],"domain":"example.com","search":["example.com"]}})");
    EXPECT_EQ(r.json(), want);
}

TEST_F(StaticExec, CniArgsAppendAddressesAndGateways) {
    auto r = st(
        {.args = "IgnoreUnknown=1;K8S_POD_NAME=x;IP=10.20.0.5/16,2001:db8::5/64;GATEWAY=10.20.0.1"},
        config(R"({"type":"static","addresses":[{"address":"10.10.0.1/24"}]})"));
    ASSERT_EQ(r.status, 0) << r.out;
    auto ips = r.json()["ips"];
    ASSERT_EQ(ips.size(), 3u);
    EXPECT_EQ(ips[1], json::parse(R"({"address":"10.20.0.5/16","gateway":"10.20.0.1"})"));
    EXPECT_EQ(ips[2], json::parse(R"({"address":"2001:db8::5/64"})"));
}

TEST_F(StaticExec, RuntimeConfigReplaces) {
    auto r = st(
        {.args = "IP=10.20.0.5/16"},
        config(
            R"({"type":"static","addresses":[{"address":"10.10.0.1/24"}]})",
            R"("runtimeConfig":{"ips":["10.40.0.9/24"]},"args":{"cni":{"ips":["10.30.0.9/24"]}},)"));
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(r.json()["ips"], json::parse(R"([{"address":"10.40.0.9/24"}])"));
}

TEST_F(StaticExec, InvalidAddressIsCode7) {
    auto r = st({}, config(R"({"type":"static","addresses":[{"address":"10.10.0.1"}]})"));
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.code(), 7) << r.out;
    EXPECT_NE(r.msg().find("CIDR"), std::string::npos);
}

TEST_F(StaticExec, DelIsANoOp) {
    auto r = st({.command = "DEL"}, config(kIpam));
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(r.out, "");
}

TEST_F(StaticExec, CheckComparesWithPrevResult) {
    auto add = st({}, config(kIpam));
    ASSERT_EQ(add.status, 0);
    auto conf = json::parse(config(kIpam));
    conf["prevResult"] = add.json();
    EXPECT_EQ(st({.command = "CHECK"}, conf.dump()).status, 0);

    conf["prevResult"]["ips"][0]["gateway"] = "10.10.0.9";
    auto wrong_gw = st({.command = "CHECK"}, conf.dump());
    EXPECT_NE(wrong_gw.status, 0);
    EXPECT_NE(wrong_gw.msg().find("gateway 10.10.0.9"), std::string::npos) << wrong_gw.out;

    conf["prevResult"]["ips"].erase(1);
    conf["prevResult"]["ips"][0]["gateway"] = "10.10.0.254";
    auto missing = st({.command = "CHECK"}, conf.dump());
    EXPECT_NE(missing.status, 0);
    EXPECT_NE(missing.msg().find("3ffe:ffff:0:1::1/64 is missing"), std::string::npos)
        << missing.out;

    conf.erase("prevResult");
    EXPECT_NE(st({.command = "CHECK"}, conf.dump()).status, 0);
}

}  // namespace
