// Bridge VLAN keys (vlan, vlanTrunk, preserveDefaultVlan) driven like a runtime. The kernel
// tests need bridge VLAN filtering (VM tier: SKIP on a host without it, FAIL in tests/vm);
// the config-level refusals run everywhere and must leave no link behind.
#include <gtest/gtest.h>

#include <map>

#include "cni_call.hpp"
#include "netrun_test/kernel_feature.hpp"
#include "netrun_test/process.hpp"

using nlohmann::json;
using testcni::Call;
using testcni::sh;

namespace {

struct Netns {
    explicit Netns(std::string n) : name(std::move(n)), path("/run/netns/" + name) {
        sh("ip netns add " + name);
    }
    ~Netns() { sh("ip netns del " + name + " 2>/dev/null || true"); }
    std::string name, path;
};

json conf(const json& vlan_keys) {
    json j = json::parse(R"({"cniVersion":"1.0.0","name":"vlannet","type":"bridge","bridge":"vbr0",
      "ipam":{"type":"host-local","dataDir":"/run/ipam-vlan","ranges":[[{"subnet":"10.44.0.0/24"}]]}})");
    j.update(vlan_keys);
    return j;
}

Call call(const std::string& cmd, const Netns& ns, const std::string& id) {
    return Call{.plugin = "bridge", .command = cmd, .container_id = id, .netns = ns.path};
}

std::string ip_of(const json& result) {
    auto a = result["ips"][0]["address"].get<std::string>();
    return a.substr(0, a.find('/'));
}

std::string host_port(const json& result) {
    return result["interfaces"][1]["name"];
}

// `bridge -j vlan show dev PORT` as {vid -> "pvid,untagged" flags text}.
std::map<int, std::string> port_vlans(const std::string& port) {
    std::map<int, std::string> out;
    auto j = json::parse(
        netrun_test::run_process({"/usr/sbin/bridge", "-j", "vlan", "show", "dev", port}).out,
        nullptr, false);
    if (!j.is_array()) return out;
    for (const auto& p : j)
        for (const auto& v : p.value("vlans", json::array())) {
            std::string flags;
            for (const auto& f : v.value("flags", json::array()))
                flags += (flags.empty() ? "" : ",") + f.get<std::string>();
            for (int id = v["vlan"].get<int>(); id <= v.value("vlanEnd", v["vlan"].get<int>());
                 ++id)
                out[id] = flags;
        }
    return out;
}

}  // namespace

TEST(BridgeVlan, AccessPortsIsolateVlans) {
    NETRUN_NEED_FEATURE(netrun_test::missing_bridge_vlan_filtering());
    Netns a("vla"), b("vlb"), c("vlc");
    auto ra = testcni::run(call("ADD", a, "va"), conf({{"vlan", 10}}));
    ASSERT_TRUE(ra.ok()) << ra.out << ra.err;
    auto rb = testcni::run(call("ADD", b, "vb"), conf({{"vlan", 10}}));
    ASSERT_TRUE(rb.ok()) << rb.out << rb.err;
    auto rc =
        testcni::run(call("ADD", c, "vc"), conf({{"vlan", 20}, {"preserveDefaultVlan", false}}));
    ASSERT_TRUE(rc.ok()) << rc.out << rc.err;

    auto br = testcni::ip_json("", {"-d", "link", "show", "vbr0"});
    ASSERT_EQ(br.size(), 1u);
    EXPECT_EQ(br[0]["linkinfo"]["info_data"]["vlan_filtering"], 1);
    // Access port: its vlan is PVID + untagged; VLAN 1 stays by default, goes when asked.
    auto pa = port_vlans(host_port(ra.json));
    EXPECT_EQ(pa[10], "PVID,Egress Untagged");
    EXPECT_TRUE(pa.contains(1)) << "preserveDefaultVlan defaults to true";
    auto pc = port_vlans(host_port(rc.json));
    EXPECT_EQ(pc, (std::map<int, std::string>{{20, "PVID,Egress Untagged"}}));

    EXPECT_TRUE(testcni::ping(a.name, ip_of(rb.json))) << "same vlan 10 must reach";
    EXPECT_FALSE(testcni::ping(c.name, ip_of(ra.json))) << "vlan 20 must not reach vlan 10";
    EXPECT_FALSE(testcni::ping(a.name, ip_of(rc.json)));

    auto chk = testcni::run(call("CHECK", a, "va"), [&] {
        auto j = conf({{"vlan", 10}});
        j["prevResult"] = ra.json;
        return j;
    }());
    EXPECT_TRUE(chk.ok()) << chk.out;
    sh("bridge vlan del vid 10 dev " + host_port(ra.json));
    chk = testcni::run(call("CHECK", a, "va"), [&] {
        auto j = conf({{"vlan", 10}});
        j["prevResult"] = ra.json;
        return j;
    }());
    EXPECT_FALSE(chk.ok()) << "CHECK must notice the port lost its vlan";
    EXPECT_NE(chk.msg().find("VLAN 10"), std::string::npos) << chk.out;

    for (auto* x : {&a, &b, &c}) {
        const std::string id = x == &a ? "va" : x == &b ? "vb" : "vc";
        auto keys = x == &c ? json{{"vlan", 20}} : json{{"vlan", 10}};
        EXPECT_TRUE(testcni::run(call("DEL", *x, id), conf(keys)).ok());
        EXPECT_TRUE(testcni::run(call("DEL", *x, id), conf(keys)).ok()) << "DEL is idempotent";
    }
    EXPECT_EQ(testcni::link_names("", "veth"), std::vector<std::string>{});
    sh("ip link del vbr0");
}

TEST(BridgeVlan, TrunkPortCarriesTaggedRanges) {
    NETRUN_NEED_FEATURE(netrun_test::missing_bridge_vlan_filtering());
    // A bridge that exists without filtering gets it switched on.
    sh("ip link add vbr1 type bridge && ip link set vbr1 up");
    Netns t("vlt");
    const json keys = {
        {"vlanTrunk", json::parse(R"([{"id":5},{"minID":100,"maxID":102},{"id":101}])")},
        {"preserveDefaultVlan", false},
        {"bridge", "vbr1"}};
    auto r = testcni::run(call("ADD", t, "vt"), conf(keys));
    ASSERT_TRUE(r.ok()) << r.out << r.err;
    auto br = testcni::ip_json("", {"-d", "link", "show", "vbr1"});
    ASSERT_EQ(br.size(), 1u);
    EXPECT_EQ(br[0]["linkinfo"]["info_data"]["vlan_filtering"], 1);
    EXPECT_EQ(port_vlans(host_port(r.json)),
              (std::map<int, std::string>{{5, ""}, {100, ""}, {101, ""}, {102, ""}}));
    json chk = conf(keys);
    chk["prevResult"] = r.json;
    EXPECT_TRUE(testcni::run(call("CHECK", t, "vt"), chk).ok());
    sh("bridge vlan del vid 101 dev " + host_port(r.json));
    auto bad = testcni::run(call("CHECK", t, "vt"), chk);
    EXPECT_FALSE(bad.ok());
    EXPECT_NE(bad.msg().find("101"), std::string::npos) << bad.out;
    EXPECT_TRUE(testcni::run(call("DEL", t, "vt"), conf(keys)).ok());
    sh("ip link del vbr1");
}

// Refused before anything is touched: no bridge, no veth, no lease; the reference plugin's
// rules, with code 7 (invalid network config).
TEST(BridgeVlan, BadVlanKeysAreRefusedWithoutState) {
    Netns n("vlbad");
    const std::vector<json> bad = {
        {{"vlan", -1}},
        {{"vlan", 4095}},
        {{"vlan", "10"}},
        {{"vlanTrunk", json::parse(R"([{"minID":20,"maxID":10}])")}},
        {{"vlanTrunk", json::parse(R"([{"id":0}])")}},
        {{"vlanTrunk", json::parse(R"([{"id":4095}])")}},
        {{"vlanTrunk", json::parse(R"([{"minID":0,"maxID":10}])")}},
        {{"vlanTrunk", json::parse(R"([{"minID":10}])")}},
        {{"vlanTrunk", json::parse(R"([{}])")}},
        {{"vlanTrunk", json::parse(R"([{"vid":3}])")}},
        {{"vlanTrunk", json::parse(R"([5])")}},
        {{"vlanTrunk", json::parse(R"({"id":5})")}},
        {{"vlan", 10}, {"vlanTrunk", json::parse(R"([{"id":10}])")}},
        {{"vlan", 10}, {"vlanTrunk", json::parse(R"([{"minID":5,"maxID":20}])")}},
        {{"preserveDefaultVlan", "maybe"}},
    };
    for (const auto& keys : bad) {
        auto r = testcni::run(call("ADD", n, "bad"), conf(keys));
        EXPECT_FALSE(r.ok()) << keys.dump();
        EXPECT_EQ(r.code(), 7) << keys.dump() << " -> " << r.out;
        EXPECT_FALSE(r.msg().empty()) << keys.dump();
    }
    // isGateway with an access vlan needs a VLAN interface for the gateway: not done here.
    auto gw = testcni::run(call("ADD", n, "bad"), conf({{"vlan", 10}, {"isGateway", true}}));
    EXPECT_EQ(gw.code(), 2) << gw.out;
    EXPECT_EQ(testcni::link_names(""), std::vector<std::string>{"lo"});
    EXPECT_EQ(testcni::link_names(n.name), std::vector<std::string>{"lo"});
    EXPECT_TRUE(testcni::leases("/run/ipam-vlan/vlannet").empty());
}
