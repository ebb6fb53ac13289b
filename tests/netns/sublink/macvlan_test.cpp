// macvlan driven like a runtime (env + stdin, the real executable), asserting kernel state
// with iproute2. The "LAN": a veth whose host end `lan0` is the master and whose other end
// sits in the netns "out" (192.168.77.1, another machine on the segment), which is also the
// default gateway of the test's own netns, so a master-less config finds lan0.
#include <gtest/gtest.h>

#include <string>

#include "../plugins/cni_call.hpp"
#include "netrun_test/process.hpp"

using nlohmann::json;
using testcni::Call;
using testcni::sh;

namespace {

struct Netns {
    explicit Netns(std::string n) : name(std::move(n)), path("/run/netns/" + name) { sh("ip netns add " + name); }
    ~Netns() { sh("ip netns del " + name + " 2>/dev/null || true"); }
    std::string name, path;
};

class Macvlan : public ::testing::Test {
protected:
    void SetUp() override {
        sh("ip link add lan0 type veth peer name lanpeer && ip link set lanpeer netns out && ip link set lan0 up"
           " && ip -n out link set lanpeer up && ip -n out addr add 192.168.77.1/24 dev lanpeer"
           " && ip addr add 192.168.77.2/24 dev lan0 && ip route add default via 192.168.77.1 dev lan0");
    }
    void TearDown() override { sh("ip link del lan0 2>/dev/null; rm -rf /run/ipam"); }
    Netns out{"out"};
};

json conf(json extra = json::object(), bool with_ipam = true) {
    json j = {{"cniVersion", "1.1.0"}, {"name", "mvnet"}, {"type", "macvlan"}, {"master", "lan0"}};
    if (with_ipam)
        j["ipam"] = {{"type", "host-local"},
                     {"dataDir", "/run/ipam"},
                     {"ranges", json::array({json::array({{{"subnet", "192.168.77.0/24"},
                                                            {"rangeStart", "192.168.77.100"},
                                                            {"gateway", "192.168.77.1"}}})})},
                     {"routes", json::array({{{"dst", "0.0.0.0/0"}}})}};
    j.update(extra);
    return j;
}

Call call(const std::string& cmd, const Netns& ns, const std::string& id) {
    return Call{.plugin = "macvlan", .command = cmd, .container_id = id, .netns = ns.path};
}

std::string ip_of(const json& result) {
    auto a = result["ips"][0]["address"].get<std::string>();
    return a.substr(0, a.find('/'));
}

json link_of(const Netns& ns, const std::string& dev) {
    auto j = testcni::ip_json(ns.path, {"-d", "link", "show", "dev", dev});
    return j.is_array() && !j.empty() ? j[0] : json();
}

json with_prev(json c, const json& prev) {
    c["prevResult"] = prev;
    return c;
}

}  // namespace

TEST_F(Macvlan, ContainersAndLanPeerReachEachOtherAcrossDelAddCycle) {
    Netns a("a"), b("b");
    auto ra = testcni::run(call("ADD", a, "ca"), conf());
    auto rb = testcni::run(call("ADD", b, "cb"), conf());
    ASSERT_TRUE(ra.ok()) << ra.out << ra.err;
    ASSERT_TRUE(rb.ok()) << rb.out << rb.err;
    auto l = link_of(a, "eth0");
    EXPECT_EQ(l["linkinfo"]["info_kind"], "macvlan");
    EXPECT_EQ(l["linkinfo"]["info_data"]["mode"], "bridge");
    EXPECT_EQ(ra.json["interfaces"][0]["mac"], l["address"]);
    EXPECT_EQ(ra.json["interfaces"][0]["sandbox"], a.path);
    EXPECT_TRUE(testcni::ping(a.path, ip_of(rb.json)));
    EXPECT_TRUE(testcni::ping(out.path, ip_of(ra.json)));
    EXPECT_TRUE(testcni::ping(out.path, ip_of(rb.json)));
    // default route from IPAM via the LAN gateway
    auto routes = testcni::ip_json(a.path, {"route", "show", "default"});
    ASSERT_EQ(routes.size(), 1u);
    EXPECT_EQ(routes[0]["gateway"], "192.168.77.1");
    EXPECT_EQ(testcni::run(call("CHECK", a, "ca"), with_prev(conf(), ra.json)).exit_status, 0);

    ASSERT_TRUE(testcni::run(call("DEL", a, "ca"), conf()).ok());
    EXPECT_TRUE(testcni::link_names(a.path, "macvlan").empty());
    EXPECT_EQ(testcni::leases("/run/ipam/mvnet").size(), 1u);
    auto again = testcni::run(call("ADD", a, "ca"), conf());
    ASSERT_TRUE(again.ok()) << again.out;
    EXPECT_TRUE(testcni::ping(out.path, ip_of(again.json)));
    EXPECT_TRUE(testcni::ping(b.path, ip_of(again.json)));
    for (auto* p : {&a, &b}) ASSERT_TRUE(testcni::run(call("DEL", *p, p == &a ? "ca" : "cb"), conf()).ok());
    EXPECT_TRUE(testcni::leases("/run/ipam/mvnet").empty());
}

TEST_F(Macvlan, EveryModeCreatesItsKind) {
    for (std::string mode : {"bridge", "private", "vepa", "passthru"}) {
        Netns c("m-" + mode);
        auto r = testcni::run(call("ADD", c, "c-" + mode), conf({{"mode", mode}}, false));
        ASSERT_TRUE(r.ok()) << mode << ": " << r.out;
        auto l = link_of(c, "eth0");
        EXPECT_EQ(l["linkinfo"]["info_kind"], "macvlan") << mode;
        EXPECT_EQ(l["linkinfo"]["info_data"]["mode"], mode);
        EXPECT_EQ(testcni::run(call("CHECK", c, "c-" + mode), with_prev(conf({{"mode", mode}}, false), r.json)).exit_status, 0)
            << mode;
        // CHECK with another mode configured must fail
        std::string other = mode == "bridge" ? "private" : "bridge";
        auto bad = testcni::run(call("CHECK", c, "c-" + mode), with_prev(conf({{"mode", other}}, false), r.json));
        EXPECT_EQ(bad.code(), 106) << mode << ": " << bad.out;
        ASSERT_TRUE(testcni::run(call("DEL", c, "c-" + mode), conf({{"mode", mode}}, false)).ok());
    }
}

TEST_F(Macvlan, MtuAboveMastersIsRefusedAndLeavesNothing) {
    Netns c("mtu");
    auto r = testcni::run(call("ADD", c, "c"), conf({{"mtu", 9000}}));
    EXPECT_EQ(r.exit_status, 1);
    EXPECT_EQ(r.code(), 7) << r.out;
    EXPECT_NE(r.msg().find("1500"), std::string::npos) << r.msg();
    EXPECT_TRUE(testcni::link_names(c.path, "macvlan").empty());
    EXPECT_TRUE(testcni::leases("/run/ipam/mvnet").empty());
    auto ok = testcni::run(call("ADD", c, "c"), conf({{"mtu", 1400}}));
    ASSERT_TRUE(ok.ok()) << ok.out;
    EXPECT_EQ(link_of(c, "eth0")["mtu"], 1400);
}

TEST_F(Macvlan, MissingMasterIsNamedInTheError) {
    Netns c("nomaster");
    auto r = testcni::run(call("ADD", c, "c"), conf({{"master", "nosuch0"}}));
    EXPECT_EQ(r.code(), 7) << r.out;
    EXPECT_NE(r.msg().find("nosuch0"), std::string::npos) << r.msg();
    EXPECT_TRUE(testcni::leases("/run/ipam/mvnet").empty());
}

TEST_F(Macvlan, DefaultMasterIsTheDefaultRouteInterface) {
    Netns c("defmaster");
    json cfg = conf();
    cfg.erase("master");
    auto r = testcni::run(call("ADD", c, "c"), cfg);
    ASSERT_TRUE(r.ok()) << r.out;
    EXPECT_TRUE(testcni::ping(out.path, ip_of(r.json)));
}

TEST_F(Macvlan, L2OnlyWithEmptyIpam) {
    Netns c("l2");
    auto r = testcni::run(call("ADD", c, "c"), conf({{"ipam", json::object()}}, false));
    ASSERT_TRUE(r.ok()) << r.out;
    EXPECT_TRUE(r.json["ips"].is_null() || r.json["ips"].empty()) << r.out;
    auto l = link_of(c, "eth0");
    EXPECT_NE(std::string(l["flags"].dump()).find("UP"), std::string::npos);
    EXPECT_TRUE(testcni::addrs(c.path, "eth0", 4).empty());
}

TEST_F(Macvlan, MacFromRuntimeConfigAndSysctls) {
    Netns c("mac");
    auto r = testcni::run(call("ADD", c, "c"), conf({{"runtimeConfig", {{"mac", "0a:58:0a:00:00:42"}}}}));
    ASSERT_TRUE(r.ok()) << r.out;
    EXPECT_EQ(link_of(c, "eth0")["address"], "0a:58:0a:00:00:42");
    EXPECT_EQ(r.json["interfaces"][0]["mac"], "0a:58:0a:00:00:42");
    auto arp = netrun_test::run_in_netns(c.path, {"cat", "/proc/sys/net/ipv4/conf/eth0/arp_notify"});
    EXPECT_EQ(arp.out, "1\n");
}

TEST_F(Macvlan, CheckFailsAfterAddressRemovedByHand) {
    Netns c("chk");
    auto r = testcni::run(call("ADD", c, "c"), conf());
    ASSERT_TRUE(r.ok()) << r.out;
    ASSERT_EQ(testcni::run(call("CHECK", c, "c"), with_prev(conf(), r.json)).exit_status, 0);
    sh("ip -n chk addr flush dev eth0");
    auto bad = testcni::run(call("CHECK", c, "c"), with_prev(conf(), r.json));
    EXPECT_EQ(bad.code(), 106) << bad.out;
}

TEST_F(Macvlan, LinkInContainerUsesMasterInsideTheContainer) {
    Netns c("lic");
    sh("ip link add licm type veth peer name licp && ip link set licm netns lic && ip -n lic link set licm up");
    auto r = testcni::run(call("ADD", c, "c"), conf({{"master", "licm"}, {"linkInContainer", true}}, false));
    ASSERT_TRUE(r.ok()) << r.out;
    auto l = link_of(c, "eth0");
    EXPECT_EQ(l["linkinfo"]["info_kind"], "macvlan");
    EXPECT_EQ(l["link"], "licm");
    ASSERT_TRUE(testcni::run(call("DEL", c, "c"), conf({{"master", "licm"}, {"linkInContainer", true}}, false)).ok());
    EXPECT_TRUE(testcni::link_names(c.path, "macvlan").empty());
    sh("ip link del licp 2>/dev/null || true");
}

TEST_F(Macvlan, DelIsIdempotentAndWorksWithoutTheNetns) {
    json result;
    {
        Netns c("gone");
        auto r = testcni::run(call("ADD", c, "cg"), conf());
        ASSERT_TRUE(r.ok()) << r.out;
        result = r.json;
        ASSERT_TRUE(testcni::run(call("DEL", c, "cg"), conf()).ok());
        ASSERT_TRUE(testcni::run(call("DEL", c, "cg"), conf()).ok());
        ASSERT_TRUE(testcni::run(call("ADD", c, "cg"), conf()).ok());
    }  // netns deleted with the link in it
    Call d{.plugin = "macvlan", .command = "DEL", .container_id = "cg", .netns = "/run/netns/gone"};
    EXPECT_TRUE(testcni::run(d, conf()).ok());
    d.netns = "";
    EXPECT_TRUE(testcni::run(d, conf()).ok());
    EXPECT_TRUE(testcni::leases("/run/ipam/mvnet").empty());
}

TEST_F(Macvlan, ExhaustedIpamLeavesNoLink) {
    Netns a("ex1"), b("ex2");
    json small = conf();
    small["ipam"]["ranges"][0][0] = {{"subnet", "192.168.77.0/24"}, {"rangeStart", "192.168.77.100"},
                                     {"rangeEnd", "192.168.77.100"}};
    ASSERT_TRUE(testcni::run(call("ADD", a, "e1"), small).ok());
    auto r = testcni::run(call("ADD", b, "e2"), small);
    EXPECT_NE(r.exit_status, 0);
    EXPECT_GE(r.code(), 100) << r.out;
    EXPECT_TRUE(testcni::link_names(b.path, "macvlan").empty());
    EXPECT_EQ(testcni::leases("/run/ipam/mvnet").size(), 1u);
}

// Bad input: each case gets its CNI error code, and nothing changes — no macvlan link in the
// container netns, no lease, and the pre-existing eth9 (the ifname-conflict case) untouched.
struct BadCase {
    const char* name;
    json extra;
    int code;
    std::string ifname = "eth0";
    std::string netns;  // "" = the case's own netns
    std::string version = "1.1.0";
};

class MacvlanBadInput : public Macvlan, public ::testing::WithParamInterface<BadCase> {};

TEST_P(MacvlanBadInput, ErrorCodeAndNoStateChange) {
    const auto& c = GetParam();
    Netns ns("bad");
    sh("ip -n bad link add eth9 type veth peer name eth9p");
    json cfg = conf(c.extra);
    cfg["cniVersion"] = c.version;
    Call call{.plugin = "macvlan", .command = "ADD", .container_id = "bad", .netns = c.netns.empty() ? ns.path : c.netns,
              .ifname = c.ifname};
    auto r = testcni::run(call, cfg);
    EXPECT_NE(r.exit_status, 0) << c.name;
    EXPECT_EQ(r.code(), c.code) << c.name << ": " << r.out << r.err;
    EXPECT_FALSE(r.msg().empty()) << c.name;
    EXPECT_TRUE(testcni::link_names(ns.path, "macvlan").empty()) << c.name;
    EXPECT_EQ(testcni::link_names(ns.path, "veth").size(), 2u) << c.name;
    EXPECT_TRUE(testcni::leases("/run/ipam/mvnet").empty()) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, MacvlanBadInput,
    ::testing::Values(BadCase{"unknown_mode", {{"mode", "bogus"}}, 7},
                      BadCase{"mtu_not_a_number", {{"mtu", "big"}}, 7},
                      BadCase{"mtu_above_master", {{"mtu", 9000}}, 7},
                      BadCase{"ipam_without_type", {{"ipam", {{"dataDir", "/run/ipam"}}}}, 7},
                      BadCase{"master_name_too_long", {{"master", "abcdefghijklmnopqrst"}}, 7},
                      BadCase{"master_missing", {{"master", "nosuch0"}}, 7},
                      BadCase{"bad_runtime_mac", {{"runtimeConfig", {{"mac", "zz:zz:zz:zz:zz:zz"}}}}, 7},
                      BadCase{"link_in_container_not_bool", {{"linkInContainer", "yes"}}, 7},
                      BadCase{"negative_bcqueuelen", {{"bcqueuelen", -1}}, 7},
                      BadCase{"ifname_exists_in_container", json::object(), 104, "eth9"},
                      BadCase{"netns_missing", json::object(), 3, "eth0", "/run/netns/nosuchns"},
                      BadCase{"unsupported_version", json::object(), 1, "eth0", "", "9.9.9"}),
    [](const auto& p) { return std::string(p.param.name); });
