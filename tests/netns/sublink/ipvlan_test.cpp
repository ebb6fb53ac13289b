// ipvlan driven like a runtime. This host's kernel has no ipvlan: the tests that create
// links SKIP here (NETRUN_NEED_FEATURE) and run in the VM tier; config-level bad input is
// refused before any link is made, so those cases run everywhere.
// Topology: master `lan0` is a veth whose peer sits in netns "out" (192.168.77.1, another
// machine on the segment); the test's own netns holds 192.168.77.2 on lan0.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "../plugins/cni_call.hpp"
#include "netrun_test/kernel_feature.hpp"

using nlohmann::json;
using testcni::Call;
using testcni::sh;

namespace {

struct Netns {
    explicit Netns(std::string n) : name(std::move(n)), path("/run/netns/" + name) { sh("ip netns add " + name); }
    ~Netns() { sh("ip netns del " + name + " 2>/dev/null || true"); }
    std::string name, path;
};

class Ipvlan : public ::testing::Test {
protected:
    void SetUp() override {
        // An ipvlan master needs carrier: both ends of the veth up.
        sh("ip link add lan0 type veth peer name lanpeer && ip link set lanpeer netns out && ip link set lan0 up"
           " && ip -n out link set lanpeer up && ip -n out addr add 192.168.77.1/24 dev lanpeer"
           " && ip addr add 192.168.77.2/24 dev lan0");
    }
    void TearDown() override { sh("ip link del lan0 2>/dev/null; rm -rf /run/ipam"); }
    Netns out{"out"};
};

json conf(const std::string& mode, const std::string& subnet, json extra = json::object()) {
    json j = {{"cniVersion", "1.1.0"}, {"name", "ipvnet"}, {"type", "ipvlan"}, {"master", "lan0"}, {"mode", mode}};
    j["ipam"] = {{"type", "host-local"},
                 {"dataDir", "/run/ipam"},
                 {"ranges", json::array({json::array({{{"subnet", subnet}, {"rangeStart", subnet.substr(0, subnet.rfind('.')) + ".100"}}})})},
                 {"routes", json::array({{{"dst", "0.0.0.0/0"}}})}};
    j.update(extra);
    return j;
}

Call call(const std::string& cmd, const Netns& ns, const std::string& id) {
    return Call{.plugin = "ipvlan", .command = cmd, .container_id = id, .netns = ns.path};
}

std::string ip_of(const json& result) {
    auto a = result["ips"][0]["address"].get<std::string>();
    return a.substr(0, a.find('/'));
}

json link_of(const Netns& ns, const std::string& dev) {
    auto j = testcni::ip_json(ns.path, {"-d", "link", "show", "dev", dev});
    return j.is_array() && !j.empty() ? j[0] : json();
}

}  // namespace

TEST_F(Ipvlan, L2ContainersAndLanPeerReachEachOther) {
    NETRUN_NEED_FEATURE(netrun_test::missing_link_kind("ipvlan"));
    Netns a("a"), b("b");
    auto cfg = conf("l2", "192.168.77.0/24");
    auto ra = testcni::run(call("ADD", a, "ca"), cfg);
    auto rb = testcni::run(call("ADD", b, "cb"), cfg);
    ASSERT_TRUE(ra.ok()) << ra.out << ra.err;
    ASSERT_TRUE(rb.ok()) << rb.out << rb.err;
    auto l = link_of(a, "eth0");
    EXPECT_EQ(l["linkinfo"]["info_kind"], "ipvlan");
    EXPECT_EQ(l["linkinfo"]["info_data"]["mode"], "l2");
    EXPECT_TRUE(testcni::ping(a.path, ip_of(rb.json)));
    EXPECT_TRUE(testcni::ping(out.path, ip_of(ra.json)));
    EXPECT_TRUE(testcni::ping(out.path, ip_of(rb.json)));
    json chk = cfg;
    chk["prevResult"] = ra.json;
    EXPECT_EQ(testcni::run(call("CHECK", a, "ca"), chk).exit_status, 0);
    ASSERT_TRUE(testcni::run(call("DEL", a, "ca"), cfg).ok());
    ASSERT_TRUE(testcni::run(call("DEL", a, "ca"), cfg).ok());
    EXPECT_TRUE(testcni::link_names(a.path, "ipvlan").empty());
    EXPECT_EQ(testcni::leases("/run/ipam/ipvnet").size(), 1u);
}

TEST_F(Ipvlan, L3ContainersAndRoutedLanPeer) {
    NETRUN_NEED_FEATURE(netrun_test::missing_link_kind("ipvlan"));
    Netns a("a3"), b("b3");
    auto cfg = conf("l3", "10.79.0.0/24");
    auto ra = testcni::run(call("ADD", a, "ca"), cfg);
    auto rb = testcni::run(call("ADD", b, "cb"), cfg);
    ASSERT_TRUE(ra.ok()) << ra.out << ra.err;
    ASSERT_TRUE(rb.ok()) << rb.out << rb.err;
    EXPECT_EQ(link_of(a, "eth0")["linkinfo"]["info_data"]["mode"], "l3");
    EXPECT_TRUE(testcni::ping(a.path, ip_of(rb.json)));
    // The other machine routes the container subnet to this host's address on the segment.
    sh("ip -n out route add 10.79.0.0/24 via 192.168.77.2");
    EXPECT_TRUE(testcni::ping(out.path, ip_of(ra.json)));
    EXPECT_TRUE(testcni::ping(a.path, "192.168.77.1"));
}

TEST_F(Ipvlan, ChainedWithoutIpamTakesPrevResult) {
    NETRUN_NEED_FEATURE(netrun_test::missing_link_kind("ipvlan"));
    Netns c("ch");
    json cfg = {{"cniVersion", "1.1.0"}, {"name", "ipvnet"}, {"type", "ipvlan"}, {"mode", "l2"}};
    cfg["prevResult"] = {{"cniVersion", "1.1.0"},
                         {"interfaces", json::array({{{"name", "lan0"}}})},
                         {"ips", json::array({{{"address", "192.168.77.150/24"}, {"gateway", "192.168.77.1"}}})}};
    auto r = testcni::run(call("ADD", c, "cc"), cfg);
    ASSERT_TRUE(r.ok()) << r.out << r.err;
    EXPECT_EQ(testcni::addrs(c.path, "eth0"), std::vector<std::string>{"192.168.77.150/24"});
    EXPECT_EQ(r.json["ips"][0]["interface"], 0);
    EXPECT_EQ(r.json["interfaces"][0]["name"], "eth0");
    EXPECT_TRUE(testcni::ping(out.path, "192.168.77.150"));
}

TEST_F(Ipvlan, FailedAddLeavesNothingAndDelWorksWithoutNetns) {
    NETRUN_NEED_FEATURE(netrun_test::missing_link_kind("ipvlan"));
    {
        Netns c("gone");
        auto r = testcni::run(call("ADD", c, "cg"), conf("l2", "192.168.77.0/24"));
        ASSERT_TRUE(r.ok()) << r.out;
    }
    Call d{.plugin = "ipvlan", .command = "DEL", .container_id = "cg", .netns = "/run/netns/gone"};
    EXPECT_TRUE(testcni::run(d, conf("l2", "192.168.77.0/24")).ok());
    EXPECT_TRUE(testcni::leases("/run/ipam/ipvnet").empty());
    // an exhausted range: the second ADD fails and leaves no link
    Netns a("ex1"), b("ex2");
    auto small = conf("l2", "192.168.77.0/24");
    small["ipam"]["ranges"][0][0]["rangeEnd"] = "192.168.77.100";
    ASSERT_TRUE(testcni::run(call("ADD", a, "e1"), small).ok());
    auto r = testcni::run(call("ADD", b, "e2"), small);
    EXPECT_GE(r.code(), 100) << r.out;
    EXPECT_TRUE(testcni::link_names(b.path, "ipvlan").empty());
    EXPECT_EQ(testcni::leases("/run/ipam/ipvnet").size(), 1u);
}

// Config-level bad input: refused before the kernel is asked for anything, so these run on
// every host. Each: its code, no link, no lease, the pre-existing eth9 untouched.
struct BadCase {
    const char* name;
    json extra;
    int code;
    std::string ifname = "eth0";
    std::string netns;
};

class IpvlanBadInput : public Ipvlan, public ::testing::WithParamInterface<BadCase> {};

TEST_P(IpvlanBadInput, ErrorCodeAndNoStateChange) {
    const auto& c = GetParam();
    Netns ns("bad");
    sh("ip -n bad link add eth9 type veth peer name eth9p");
    json cfg = conf("l2", "192.168.77.0/24", c.extra);
    Call cl{.plugin = "ipvlan", .command = "ADD", .container_id = "bad", .netns = c.netns.empty() ? ns.path : c.netns,
            .ifname = c.ifname};
    auto r = testcni::run(cl, cfg);
    EXPECT_NE(r.exit_status, 0) << c.name;
    EXPECT_EQ(r.code(), c.code) << c.name << ": " << r.out << r.err;
    EXPECT_FALSE(r.msg().empty()) << c.name;
    // every link by name (iproute2 cannot filter by a kind the kernel does not know)
    auto links = testcni::link_names(ns.path);
    std::sort(links.begin(), links.end());
    EXPECT_EQ(links, (std::vector<std::string>{"eth9", "eth9p", "lo"})) << c.name;
    EXPECT_TRUE(testcni::leases("/run/ipam/ipvnet").empty()) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, IpvlanBadInput,
    ::testing::Values(
        BadCase{"unknown_mode", {{"mode", "l4"}}, 7}, BadCase{"unknown_flag", {{"flag", "loud"}}, 7},
        BadCase{"mtu_not_a_number", {{"mtu", "big"}}, 7}, BadCase{"mtu_above_master", {{"mtu", 9000}}, 7},
        BadCase{"ipam_without_type", {{"ipam", {{"dataDir", "/run/ipam"}}}}, 7},
        BadCase{"master_missing", {{"master", "nosuch0"}}, 7},
        BadCase{"master_name_too_long", {{"master", "abcdefghijklmnopqrst"}}, 7},
        BadCase{"chained_prev_without_single_interface",
                {{"master", ""},
                 {"prevResult",
                  {{"cniVersion", "1.1.0"}, {"interfaces", json::array({{{"name", "x1"}}, {{"name", "x2"}}})}}}},
                7},
        BadCase{"ifname_exists_in_container", json::object(), 104, "eth9"},
        BadCase{"netns_missing", json::object(), 3, "eth0", "/run/netns/nosuchns"}),
    [](const auto& p) { return std::string(p.param.name); });
