// Bad input at the plugin level: each case asserts the CNI error code, that the message
// names the problem, and that nothing changed (links, leases, NAT rules).
#include <gtest/gtest.h>

#include <functional>

#include "cni_call.hpp"
#include "netlib/sys/spawn.hpp"

using nlohmann::json;
using testcni::Call;
using testcni::sh;

namespace {


json base_conf() {
    return json::parse(R"({"cniVersion":"1.0.0","name":"badnet","type":"bridge","bridge":"badbr0",
      "isGateway":true,"ipMasq":true,
      "ipam":{"type":"host-local","dataDir":"/run/ipam-bad","ranges":[[{"subnet":"10.33.0.0/24"}]]}})");
}

struct Snapshot {
    std::vector<std::string> links, ctr_links, leases;
    std::string nat;
    bool operator==(const Snapshot&) const = default;
};

Snapshot snapshot() {
    return {testcni::link_names(""), testcni::link_names("/run/netns/bad"), testcni::leases("/run/ipam-bad/badnet"),
            testcni::iptables_nat()};
}

struct Case {
    const char* name;
    std::function<void(Call&, json&)> mutate;
    int code;
    const char* needle;
};

class PluginBadInput : public ::testing::TestWithParam<Case> {
protected:
    static void SetUpTestSuite() {
        sh("ip netns add bad");
        // An existing link that is not a bridge, under the name a config will ask for.
        sh("ip link add notabridge type veth peer name notabridge-p");
        // A /30 range with its two usable addresses taken: ADD must fail with 101.
        sh("mkdir -p /run/ipam-bad/full && printf 'x\\r\\neth0' > /run/ipam-bad/full/10.44.0.2");
    }
    static void TearDownTestSuite() {
        sh("ip netns del bad; ip link del notabridge 2>/dev/null; rm -rf /run/ipam-bad; true");
    }
};

}  // namespace

TEST_P(PluginBadInput, ErrorCodeMessageAndNoChange) {
    const auto& c = GetParam();
    Call call{.plugin = "bridge", .command = "ADD", .container_id = "bad1", .netns = "/run/netns/bad"};
    json conf = base_conf();
    c.mutate(call, conf);
    auto before = snapshot();
    auto r = testcni::run(call, conf);
    EXPECT_NE(r.exit_status, 0) << c.name;
    EXPECT_EQ(r.code(), c.code) << c.name << ": " << r.out << r.err;
    EXPECT_NE(r.msg().find(c.needle), std::string::npos) << c.name << ": " << r.msg();
    auto after = snapshot();
    EXPECT_EQ(before.links, after.links) << c.name;
    EXPECT_EQ(before.ctr_links, after.ctr_links) << c.name;
    EXPECT_EQ(before.leases, after.leases) << c.name;
    EXPECT_EQ(before.nat, after.nat) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PluginBadInput,
    ::testing::Values(
        Case{"nonexistent netns", [](Call& c, json&) { c.netns = "/run/netns/nope"; }, 3, "/run/netns/nope"},
        Case{"existing non-bridge link", [](Call&, json& j) { j["bridge"] = "notabridge"; }, 104, "not a bridge"},
        Case{"bridge name too long", [](Call&, json& j) { j["bridge"] = "averyveryverylongname"; }, 7, "bridge"},
        Case{"hairpin and promisc", [](Call&, json& j) { j["hairpinMode"] = true; j["promiscMode"] = true; }, 7, "promiscMode"},
        Case{"mtu wrong type", [](Call&, json& j) { j["mtu"] = "1500"; }, 7, "mtu"},
        Case{"mtu too small", [](Call&, json& j) { j["mtu"] = 20; }, 7, "mtu"},
        Case{"ipam without type", [](Call&, json& j) { j["ipam"] = json{{"subnet", "10.0.0.0/24"}}; }, 7, "type"},
        Case{"unknown ipam plugin", [](Call&, json& j) { j["ipam"]["type"] = "nosuch-ipam"; }, 103, "nosuch-ipam"},
        Case{"subnet too small", [](Call&, json& j) { j["ipam"]["ranges"] = json::parse(R"([[{"subnet":"10.33.0.0/31"}]])"); }, 7, "10.33.0.0/31"},
        Case{"subnet host bits", [](Call&, json& j) { j["ipam"]["ranges"] = json::parse(R"([[{"subnet":"10.33.0.5/24"}]])"); }, 7, "10.33.0.5/24"},
        Case{"rangeStart outside subnet", [](Call&, json& j) { j["ipam"]["ranges"] = json::parse(R"([[{"subnet":"10.33.0.0/24","rangeStart":"10.34.0.5"}]])"); }, 7, "10.34.0.5"},
        Case{"overlapping range sets", [](Call&, json& j) { j["ipam"]["ranges"] = json::parse(R"([[{"subnet":"10.33.0.0/24"}],[{"subnet":"10.33.0.0/25"}]])"); }, 7, "overlap"},
        Case{"exhausted range", [](Call&, json& j) { j["ipam"]["dataDir"] = "/run/ipam-bad"; j["name"] = "full"; j["ipam"]["ranges"] = json::parse(R"([[{"subnet":"10.44.0.0/30"}]])"); }, 101, "10.44.0"},
        Case{"ifname too long", [](Call& c, json&) { c.ifname = "averyveryverylongname"; }, 4, "15"},
        Case{"bad container id", [](Call& c, json&) { c.container_id = "has space"; }, 4, "has space"},
        Case{"missing netns env", [](Call& c, json&) { c.env_override["CNI_NETNS"] = std::nullopt; }, 4, "CNI_NETNS"},
        Case{"unsupported version", [](Call&, json& j) { j["cniVersion"] = "0.2.0"; }, 1, "0.2.0"},
        Case{"vlan out of range", [](Call&, json& j) { j["vlan"] = 4095; }, 7, "vlan"},
        Case{"bad mac arg", [](Call& c, json&) { c.args = "MAC=01:00:5e:00:00:01"; }, 7, "01:00:5e:00:00:01"},
        Case{"malformed json", [](Call& c, json& j) { (void)c; j = "not an object"; }, 6, "object"},
        Case{"masq backend bad", [](Call&, json& j) { j["ipMasqBackend"] = "pf"; }, 7, "ipMasqBackend"}));
