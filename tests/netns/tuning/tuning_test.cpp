// tuning driven like a runtime, chained after bridge (and firewall, podman's default shape):
// sysctls read back from /proc/sys in the container netns, link attributes set and restored
// on DEL, CHECK 106 after a hand change, DEL idempotence, bad input without state change.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "../plugins/cni_call.hpp"

using nlohmann::json;
using testcni::Call;
using testcni::sh;

namespace {

std::string capture(const std::string& cmd) {
    std::string out;
    FILE* p = ::popen(cmd.c_str(), "r");
    char buf[4096];
    while (p && fgets(buf, sizeof buf, p)) out += buf;
    if (p) ::pclose(p);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

std::string sysctl_in(const std::string& ns, const std::string& path) {
    return capture("ip netns exec " + ns + " cat /proc/sys/" + path);
}

json link_of(const std::string& ns) {
    return testcni::ip_json("/run/netns/" + ns, {"-d", "link", "show", "dev", "eth0"})[0];
}

bool has_flag(const json& l, const std::string& f) {
    for (const auto& x : l["flags"])
        if (x == f) return true;
    return false;
}

json chain_conf(const std::string& type, json prev, json extra = json::object()) {
    json c = {{"cniVersion", "1.0.0"}, {"name", "tnet"}, {"type", type}};
    c.update(extra);
    if (!prev.is_null()) c["prevResult"] = std::move(prev);
    return c;
}

json attach(const std::string& ns, const std::string& id) {
    sh("ip netns add " + ns);
    json conf = {
        {"cniVersion", "1.0.0"},
        {"name", "tnet"},
        {"type", "bridge"},
        {"bridge", "tbr0"},
        {"isGateway", true},
        {"ipam",
         {{"type", "host-local"}, {"subnet", "10.66.0.0/24"}, {"dataDir", "/var/lib/cni/tnet"}}}};
    auto r = testcni::run(
        {.plugin = "bridge", .command = "ADD", .container_id = id, .netns = "/run/netns/" + ns},
        conf);
    EXPECT_TRUE(r.ok()) << r.out;
    return r.json;
}

Call call(const std::string& plugin, const std::string& ns, const std::string& id,
          const std::string& cmd = "ADD") {
    return Call{.plugin = plugin,
                .command = cmd,
                .container_id = id,
                .netns = "/run/netns/" + ns,
                .ifname = "eth0"};
}

const json kTune = {
    {"sysctl", {{"net.ipv4.conf.eth0.rp_filter", "2"}, {"net.core.somaxconn", "500"}}},
    {"mac", "02:aa:bb:cc:dd:01"},
    {"mtu", 1400},
    {"promisc", true},
    {"allmulti", true},
    {"txQLen", 321}};

class Tuning : public ::testing::Test {
  protected:
    void TearDown() override {
        (void)std::system("for n in $(ip netns list | cut -d\" \" -f1); do ip netns del $n; done");
    }
};

}  // namespace

TEST_F(Tuning, PodmanShapeSetsAndRestores) {
    auto prev = attach("t1", "tu1");
    auto orig = link_of("t1");
    const std::string orig_somax = sysctl_in("t1", "net/core/somaxconn");
    ASSERT_NE(orig["mtu"], 1400);

    // bridge -> firewall -> tuning, each fed the previous result.
    auto fw = testcni::run(call("firewall", "t1", "tu1"), chain_conf("firewall", prev));
    ASSERT_TRUE(fw.ok()) << fw.out;
    auto r = testcni::run(call("tuning", "t1", "tu1"), chain_conf("tuning", fw.json, kTune));
    ASSERT_TRUE(r.ok()) << r.out;
    EXPECT_EQ(r.json["ips"], prev["ips"]);
    bool mac_reported = false;
    for (const auto& i : r.json["interfaces"])
        if (i["name"] == "eth0") mac_reported = i["mac"] == "02:aa:bb:cc:dd:01";
    EXPECT_TRUE(mac_reported) << r.json.dump();

    EXPECT_EQ(sysctl_in("t1", "net/ipv4/conf/eth0/rp_filter"), "2");
    EXPECT_EQ(sysctl_in("t1", "net/core/somaxconn"), "500");
    auto l = link_of("t1");
    EXPECT_EQ(l["address"], "02:aa:bb:cc:dd:01");
    EXPECT_EQ(l["mtu"], 1400);
    EXPECT_EQ(l["promiscuity"], 1);
    EXPECT_TRUE(has_flag(l, "ALLMULTI"));
    EXPECT_EQ(l["txqlen"], 321);
    EXPECT_EQ(::access("/var/lib/cni/tuning/tu1-eth0.json", F_OK), 0);

    Call chk = call("tuning", "t1", "tu1", "CHECK");
    EXPECT_TRUE(testcni::run(chk, chain_conf("tuning", r.json, kTune)).ok());
    sh("ip -n t1 link set eth0 mtu 1300");
    auto bad = testcni::run(chk, chain_conf("tuning", r.json, kTune));
    EXPECT_EQ(bad.code(), 106) << bad.out;
    sh("ip -n t1 link set eth0 mtu 1400");

    Call del = call("tuning", "t1", "tu1", "DEL");
    ASSERT_TRUE(testcni::run(del, chain_conf("tuning", r.json, kTune)).ok());
    l = link_of("t1");
    EXPECT_EQ(l["address"], orig["address"]);
    EXPECT_EQ(l["mtu"], orig["mtu"]);
    EXPECT_EQ(l["promiscuity"], 0);
    EXPECT_FALSE(has_flag(l, "ALLMULTI"));
    EXPECT_EQ(l["txqlen"], orig["txqlen"]);
    EXPECT_NE(::access("/var/lib/cni/tuning/tu1-eth0.json", F_OK), 0);
    EXPECT_TRUE(testcni::run(del, chain_conf("tuning", r.json, kTune)).ok());  // DEL twice
    (void)orig_somax;
}

TEST_F(Tuning, DelAfterNetnsGone) {
    auto prev = attach("t2", "tu2");
    ASSERT_TRUE(testcni::run(call("tuning", "t2", "tu2"), chain_conf("tuning", prev, kTune)).ok());
    sh("ip netns del t2");
    EXPECT_TRUE(
        testcni::run(call("tuning", "t2", "tu2", "DEL"), chain_conf("tuning", prev, kTune)).ok());
    EXPECT_NE(::access("/var/lib/cni/tuning/tu2-eth0.json", F_OK), 0);
}

TEST_F(Tuning, BadInputIsRefusedWithoutStateChange) {
    auto prev = attach("t3", "tu3");
    const json before = link_of("t3");
    const std::string rp = sysctl_in("t3", "net/ipv4/conf/eth0/rp_filter");
    struct Case {
        const char* what;
        json conf;
        int code;
    };
    auto with = [&](json extra) { return chain_conf("tuning", prev, std::move(extra)); };
    // A good setting first in each config, so a half-applied ADD would show in the state.
    auto bad_sysctl = [&](const std::string& key) {
        return with(
            {{"mtu", 1280}, {"sysctl", {{"net.ipv4.conf.eth0.rp_filter", "2"}, {key, "1"}}}});
    };
    std::vector<Case> cases{
        {"no prevResult", chain_conf("tuning", nullptr, {{"mtu", 1280}}), 7},
        {"non-net sysctl", bad_sysctl("kernel.panic"), 7},
        {"dotdot sysctl", bad_sysctl("net.ipv4.conf.eth0...rp_filter"), 7},
        {"slash sysctl", bad_sysctl("net/../../kernel/panic"), 7},
        {"other interface sysctl", bad_sysctl("net.ipv4.conf.lo.rp_filter"), 7},
        {"missing sysctl", bad_sysctl("net.ipv4.no_such_knob"), 7},
        {"sysctl value not a string", with({{"sysctl", {{"net.core.somaxconn", 5}}}}), 7},
        {"multicast mac", with({{"mtu", 1280}, {"mac", "01:00:5e:00:00:01"}}), 7},
        {"garbage mac", with({{"mac", "zz"}}), 7},
        {"mtu too small", with({{"mtu", 10}}), 7},
        {"promisc not bool", with({{"promisc", "yes"}}), 7},
        {"negative txQLen", with({{"txQLen", -1}}), 7},
        {"relative dataDir", with({{"mtu", 1280}, {"dataDir", "rel"}}), 7},
    };
    for (const auto& c : cases) {
        auto r = testcni::run(call("tuning", "t3", "tu3"), c.conf);
        EXPECT_FALSE(r.ok()) << c.what;
        EXPECT_EQ(r.code(), c.code) << c.what << ": " << r.out;
        EXPECT_FALSE(r.msg().empty()) << c.what;
        EXPECT_EQ(link_of("t3"), before) << c.what;
        EXPECT_EQ(sysctl_in("t3", "net/ipv4/conf/eth0/rp_filter"), rp) << c.what;
        EXPECT_NE(::access("/var/lib/cni/tuning/tu3-eth0.json", F_OK), 0) << c.what;
    }
    auto gone =
        testcni::run(call("tuning", "nosuch", "tu3"), chain_conf("tuning", prev, {{"mtu", 1280}}));
    EXPECT_EQ(gone.code(), 3) << gone.out;
}
