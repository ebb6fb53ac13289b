// firewall driven like a runtime, chained after bridge: filter-table chains in the
// reference's order, forwarded traffic to the container passes a default-DROP FORWARD only
// while attached, ingressPolicy same-bridge, CHECK/DEL semantics, bad input, and interop with
// the reference plugin in /usr/lib/cni.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

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
    return out;
}

std::vector<std::string> chain_rules(const std::string& chain) {
    std::vector<std::string> v;
    std::string all = capture("iptables-save -t filter");
    std::string prefix = "-A " + chain + " ";
    std::size_t pos = 0;
    while ((pos = all.find(prefix, pos)) != std::string::npos) {
        if (pos == 0 || all[pos - 1] == '\n')
            v.push_back(all.substr(pos, all.find('\n', pos) - pos));
        pos += prefix.size();
    }
    return v;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
    for (const auto& x : v)
        if (x == s) return true;
    return false;
}

json bridge_conf(const std::string& br, const std::string& subnet) {
    return {{"cniVersion", "1.0.0"},
            {"name", "fwnet"},
            {"type", "bridge"},
            {"bridge", br},
            {"isGateway", true},
            {"ipam",
             {{"type", "host-local"},
              {"subnet", subnet},
              {"dataDir", "/var/lib/cni/fw-" + br},
              {"routes", json::array({{{"dst", "0.0.0.0/0"}}})}}}};
}

json fw_conf(json prev, json extra = json::object()) {
    json c = {{"cniVersion", "1.0.0"}, {"name", "fwnet"}, {"type", "firewall"}};
    c.update(extra);
    if (!prev.is_null()) c["prevResult"] = std::move(prev);
    return c;
}

// A container on bridge `br`; returns the bridge plugin's result.
json attach(const std::string& ns, const std::string& id, const std::string& br,
            const std::string& subnet) {
    sh("ip netns add " + ns);
    Call c{.plugin = "bridge",
           .command = "ADD",
           .container_id = id,
           .netns = "/run/netns/" + ns,
           .ifname = "eth0"};
    auto r = testcni::run(c, bridge_conf(br, subnet));
    EXPECT_TRUE(r.ok()) << r.out;
    return r.json;
}

std::string ip_of(const json& result) {
    std::string a = result["ips"][0]["address"];
    return a.substr(0, a.find('/'));
}

Call fw_call(const std::string& ns, const std::string& id, const std::string& cmd = "ADD") {
    return Call{.plugin = "firewall",
                .command = cmd,
                .container_id = id,
                .netns = "/run/netns/" + ns,
                .ifname = "eth0"};
}

// An "outside" host reached through a routed veth (not the bridge): its traffic to the
// container is forwarded by our netns and so crosses FORWARD.
void make_outside() {
    sh("ip netns add out");
    sh("ip link add vout type veth peer name eth0 netns out");
    sh("ip addr add 10.99.0.1/24 dev vout && ip link set vout up");
    sh("ip -n out addr add 10.99.0.2/24 dev eth0 && ip -n out link set eth0 up && ip -n out link "
       "set lo up");
    sh("ip -n out route add default via 10.99.0.1");
    sh("sysctl -qw net.ipv4.ip_forward=1");
}

class Firewall : public ::testing::Test {
  protected:
    void TearDown() override {
        (void)std::system(
            "for n in $(ip netns list | cut -d\" \" -f1); do ip netns del $n; done; iptables -P "
            "FORWARD ACCEPT; iptables -F; iptables -X");
    }
};

}  // namespace

TEST_F(Firewall, ChainsInOrderAndForwardedTrafficPassesWhileAttached) {
    make_outside();
    sh("iptables -P FORWARD DROP");
    auto prev = attach("c1", "fw1", "fwbr0", "10.77.0.0/24");
    const std::string ip = ip_of(prev);
    EXPECT_FALSE(testcni::ping("/run/netns/c1", "10.99.0.2"))
        << "FORWARD policy DROP should stop it before firewall ADD";

    auto r = testcni::run(fw_call("c1", "fw1"), fw_conf(prev));
    ASSERT_TRUE(r.ok()) << r.out;
    EXPECT_EQ(r.json["ips"], prev["ips"]);  // prevResult passed through
    EXPECT_EQ(r.json["interfaces"], prev["interfaces"]);

    auto fwd = chain_rules("FORWARD");
    ASSERT_FALSE(fwd.empty());
    EXPECT_EQ(fwd[0],
              "-A FORWARD -m comment --comment \"CNI firewall plugin rules\" -j CNI-FORWARD");
    auto cni = chain_rules("CNI-FORWARD");
    ASSERT_EQ(cni.size(), 3u);
    EXPECT_EQ(
        cni[0],
        "-A CNI-FORWARD -m comment --comment \"CNI firewall plugin admin overrides\" -j CNI-ADMIN");
    EXPECT_TRUE(contains(cni, "-A CNI-FORWARD -d " + ip +
                                  "/32 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"));
    EXPECT_TRUE(contains(cni, "-A CNI-FORWARD -s " + ip + "/32 -j ACCEPT"));
    // As in the reference: the container's own traffic and its replies pass; a new connection
    // from outside does not (that is portmap's / the admin chain's business).
    EXPECT_TRUE(testcni::ping("/run/netns/c1", "10.99.0.2"))
        << "container -> outside and the reply should be forwarded now";
    EXPECT_FALSE(testcni::ping("/run/netns/out", ip))
        << "a new connection from outside stays dropped";
    sh("iptables -A CNI-ADMIN -s 10.99.0.2/32 -j ACCEPT");
    EXPECT_TRUE(testcni::ping("/run/netns/out", ip)) << "an admin rule in CNI-ADMIN opens it";
    sh("iptables -D CNI-ADMIN -s 10.99.0.2/32 -j ACCEPT");

    // CHECK passes, then fails with 106 once a rule is removed by hand.
    Call chk = fw_call("c1", "fw1", "CHECK");
    EXPECT_TRUE(testcni::run(chk, fw_conf(prev)).ok());
    sh("iptables -D CNI-FORWARD -s " + ip + "/32 -j ACCEPT");
    auto bad = testcni::run(chk, fw_conf(prev));
    EXPECT_EQ(bad.code(), 106) << bad.out;
    sh("iptables -A CNI-FORWARD -s " + ip + "/32 -j ACCEPT");

    // Admin rules survive ADD/DEL: CNI-ADMIN is never flushed.
    sh("iptables -A CNI-ADMIN -s 10.1.2.3/32 -j DROP");
    Call del = fw_call("c1", "fw1", "DEL");
    ASSERT_TRUE(testcni::run(del, fw_conf(prev)).ok());
    EXPECT_EQ(chain_rules("CNI-FORWARD").size(), 1u);
    EXPECT_EQ(chain_rules("CNI-ADMIN").size(), 1u);
    EXPECT_FALSE(testcni::ping("/run/netns/c1", "10.99.0.2"))
        << "DEL should close the forward path";
    EXPECT_TRUE(testcni::run(del, fw_conf(prev)).ok());  // DEL twice
    sh("ip netns del c1");
    EXPECT_TRUE(testcni::run(del, fw_conf(prev)).ok());  // netns gone
    sh("iptables -P FORWARD ACCEPT");
}

TEST_F(Firewall, RepeatedAddKeepsOneCopy) {
    auto prev = attach("c2", "fw2", "fwbr2", "10.72.0.0/24");
    ASSERT_TRUE(testcni::run(fw_call("c2", "fw2"), fw_conf(prev)).ok());
    ASSERT_TRUE(testcni::run(fw_call("c2", "fw2"), fw_conf(prev)).ok());
    EXPECT_EQ(chain_rules("CNI-FORWARD").size(), 3u);
    int jumps = 0;
    for (const auto& r : chain_rules("FORWARD"))
        jumps += r.find("-j CNI-FORWARD") != std::string::npos;
    EXPECT_EQ(jumps, 1);
    EXPECT_TRUE(testcni::run(fw_call("c2", "fw2", "DEL"), fw_conf(prev)).ok());
}

TEST_F(Firewall, SameBridgePolicyDropsOtherBridges) {
    auto a = attach("a1", "sa1", "brA", "10.81.0.0/24");
    auto a2 = attach("a2", "sa2", "brA", "10.81.0.0/24");
    auto b = attach("b1", "sb1", "brB", "10.82.0.0/24");
    json pol = {{"ingressPolicy", "same-bridge"}};
    for (auto [ns, id, prev] : {std::tuple{"a1", "sa1", a}, {"a2", "sa2", a2}, {"b1", "sb1", b}}) {
        auto r = testcni::run(fw_call(ns, id), fw_conf(prev, pol));
        ASSERT_TRUE(r.ok()) << r.out;
    }
    auto fwd = chain_rules("FORWARD");
    ASSERT_GE(fwd.size(), 2u);
    EXPECT_NE(fwd[0].find("-j CNI-ISOLATION-STAGE-1"), std::string::npos) << fwd[0];
    auto s1 = chain_rules("CNI-ISOLATION-STAGE-1");
    EXPECT_TRUE(contains(
        s1,
        "-A CNI-ISOLATION-STAGE-1 -i brA ! -o brA -m comment --comment \"CNI firewall plugin rules "
        "(ingressPolicy: same-bridge)\" -j CNI-ISOLATION-STAGE-2"));
    EXPECT_TRUE(testcni::ping("/run/netns/a1", ip_of(a2))) << "same bridge must pass";
    EXPECT_FALSE(testcni::ping("/run/netns/b1", ip_of(a))) << "brB -> brA must be dropped";
    EXPECT_FALSE(testcni::ping("/run/netns/a1", ip_of(b))) << "brA -> brB must be dropped";
    EXPECT_TRUE(testcni::run(fw_call("a1", "sa1", "CHECK"), fw_conf(a, pol)).ok());
}

TEST_F(Firewall, BadInputIsRefusedWithoutStateChange) {
    auto prev = attach("c3", "fw3", "fwbr3", "10.73.0.0/24");
    const std::string before = capture("iptables-save -t filter | grep -v '^#'");
    struct Case {
        const char* what;
        json conf;
        int code;
    };
    json noprev = fw_conf(nullptr);
    json no_if = prev;
    no_if.erase("interfaces");
    std::vector<Case> cases{
        {"no prevResult", noprev, 7},
        {"firewalld backend", fw_conf(prev, {{"backend", "firewalld"}}), 7},
        {"unknown backend", fw_conf(prev, {{"backend", "pf"}}), 7},
        {"backend not a string", fw_conf(prev, {{"backend", 3}}), 7},
        {"unknown ingressPolicy", fw_conf(prev, {{"ingressPolicy", "closed"}}), 7},
        {"admin chain with space", fw_conf(prev, {{"iptablesAdminChainName", "A B"}}), 7},
        {"admin chain too long", fw_conf(prev, {{"iptablesAdminChainName", std::string(29, 'X')}}),
         7},
        {"admin chain is CNI-FORWARD", fw_conf(prev, {{"iptablesAdminChainName", "CNI-FORWARD"}}),
         7},
        {"same-bridge without interfaces", fw_conf(no_if, {{"ingressPolicy", "same-bridge"}}), 7},
        {"unsupported cniVersion", fw_conf(prev, {{"cniVersion", "9.9.9"}}), 1},
    };
    for (const auto& c : cases) {
        auto r = testcni::run(fw_call("c3", "fw3"), c.conf);
        EXPECT_FALSE(r.ok()) << c.what;
        EXPECT_EQ(r.code(), c.code) << c.what << ": " << r.out;
        EXPECT_FALSE(r.msg().empty()) << c.what;
    }
    EXPECT_EQ(capture("iptables-save -t filter | grep -v '^#'"), before);
}

// The reference (Debian's 1.1.1 build) and ours use the same chains and rule shapes, so
// either can remove what the other added.
TEST_F(Firewall, InteropWithReferencePlugin) {
    if (::access("/usr/lib/cni/firewall", X_OK) != 0)
        GTEST_SKIP() << "no reference firewall in /usr/lib/cni";
    auto prev = attach("c4", "fw4", "fwbr4", "10.74.0.0/24");
    const std::string ip = ip_of(prev);
    Call ref = fw_call("c4", "fw4");
    ref.plugin = "/usr/lib/cni/firewall";
    auto r = testcni::run(ref, fw_conf(prev));
    ASSERT_TRUE(r.ok()) << r.out;
    EXPECT_TRUE(
        testcni::run(fw_call("c4", "fw4", "CHECK"), fw_conf(prev)).ok());  // ours accepts theirs
    ASSERT_TRUE(testcni::run(fw_call("c4", "fw4", "DEL"), fw_conf(prev)).ok());
    EXPECT_EQ(chain_rules("CNI-FORWARD").size(), 1u);

    ASSERT_TRUE(testcni::run(fw_call("c4", "fw4"), fw_conf(prev)).ok());
    ref.command = "CHECK";
    EXPECT_TRUE(testcni::run(ref, fw_conf(prev)).ok()) << "reference CHECK of our rules";
    ref.command = "DEL";
    ASSERT_TRUE(testcni::run(ref, fw_conf(prev)).ok());
    EXPECT_EQ(chain_rules("CNI-FORWARD").size(), 1u)
        << "reference DEL removes our per-container rules";
}

namespace {
// (comment, rule text) of every rule in our nftables forward chain, from `nft -j`.
std::vector<std::pair<std::string, std::string>> nft_rules() {
    std::vector<std::pair<std::string, std::string>> v;
    auto j =
        json::parse(capture("nft -j list table inet netrun_firewall 2>/dev/null"), nullptr, false);
    if (!j.is_object()) return v;
    for (const auto& item : j["nftables"])
        if (item.contains("rule"))
            v.emplace_back(item["rule"].value("comment", ""), item["rule"]["expr"].dump());
    return v;
}
}  // namespace

TEST_F(Firewall, NftablesBackendTagsRulesForDelCheckGc) {
    auto prev = attach("n1", "nf1", "fwbr5", "10.75.0.0/24");
    const std::string ip = ip_of(prev);
    json be = {{"backend", "nftables"}};
    auto r = testcni::run(fw_call("n1", "nf1"), fw_conf(prev, be));
    ASSERT_TRUE(r.ok()) << r.out;
    EXPECT_EQ(r.json["ips"], prev["ips"]);
    ASSERT_TRUE(
        testcni::run(fw_call("n1", "nf1"), fw_conf(prev, be)).ok());  // repeated ADD: still 2 rules
    auto rules = nft_rules();
    ASSERT_EQ(rules.size(), 2u);
    for (const auto& [tag, text] : rules) {
        EXPECT_EQ(tag, "nf1/eth0");
        EXPECT_NE(text.find(ip), std::string::npos) << text;
        EXPECT_NE(text.find("accept"), std::string::npos) << text;
    }
    EXPECT_NE(rules[0].second.find("established"), std::string::npos) << rules[0].second;
    auto chain = json::parse(capture("nft -j list chain inet netrun_firewall forward"));
    bool hooked = false;
    for (const auto& item : chain["nftables"])
        if (item.contains("chain")) hooked = item["chain"].value("hook", "") == "forward";
    EXPECT_TRUE(hooked);
    EXPECT_TRUE(chain_rules("CNI-FORWARD").empty())
        << "the nftables backend must not create iptables rules";

    Call chk = fw_call("n1", "nf1", "CHECK");
    EXPECT_TRUE(testcni::run(chk, fw_conf(prev, be)).ok());
    auto handles = json::parse(capture("nft -j -a list chain inet netrun_firewall forward"));
    for (const auto& item : handles["nftables"])
        if (item.contains("rule")) {
            sh("nft delete rule inet netrun_firewall forward handle " +
               std::to_string(item["rule"]["handle"].get<int>()));
            break;
        }
    EXPECT_EQ(testcni::run(chk, fw_conf(prev, be)).code(), 106);

    // GC keeps valid attachments' rules and removes the rest.
    ASSERT_TRUE(testcni::run(fw_call("n1", "nf1"), fw_conf(prev, be)).ok());
    auto other = attach("n2", "nf2", "fwbr5", "10.75.0.0/24");
    ASSERT_TRUE(testcni::run(fw_call("n2", "nf2"), fw_conf(other, be)).ok());
    ASSERT_EQ(nft_rules().size(), 4u);
    json gc = {{"cniVersion", "1.1.0"},
               {"name", "fwnet"},
               {"type", "firewall"},
               {"backend", "nftables"},
               {"cni.dev/valid-attachments", {{{"containerID", "nf2"}, {"ifname", "eth0"}}}}};
    Call g{.plugin = "firewall", .command = "GC"};
    auto gr = testcni::run(g, gc);
    ASSERT_TRUE(gr.ok()) << gr.out;
    rules = nft_rules();
    ASSERT_EQ(rules.size(), 2u);
    EXPECT_EQ(rules[0].first, "nf2/eth0");

    Call del = fw_call("n2", "nf2", "DEL");
    ASSERT_TRUE(testcni::run(del, fw_conf(other, be)).ok());
    EXPECT_TRUE(nft_rules().empty());
    EXPECT_TRUE(testcni::run(del, fw_conf(other, be)).ok());  // DEL twice
    sh("nft delete table inet netrun_firewall");
    EXPECT_TRUE(testcni::run(del, fw_conf(other, be)).ok());  // table gone
    auto bad =
        testcni::run(fw_call("n1", "nf1"),
                     fw_conf(prev, {{"backend", "nftables"}, {"ingressPolicy", "same-bridge"}}));
    EXPECT_EQ(bad.code(), 7) << bad.out;
    EXPECT_TRUE(nft_rules().empty());
}
