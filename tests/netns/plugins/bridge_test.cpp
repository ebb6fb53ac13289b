// Bridge + host-local driven like a runtime (env + stdin, real executables), asserting
// kernel state with iproute2/iptables. Runs inside the harness's private namespaces.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <thread>

#include "cni_call.hpp"
#include "netlib/sys/spawn.hpp"

using nlohmann::json;
using testcni::Call;
using testcni::sh;

namespace {


struct Netns {
    explicit Netns(std::string n) : name(std::move(n)), path("/run/netns/" + name) { sh("ip netns add " + name); }
    ~Netns() { sh("ip netns del " + name + " 2>/dev/null || true"); }
    std::string name, path;
};


json conf(const std::string& version = "1.0.0", const std::string& br = "cni0") {
    json j = json::parse(R"({"name":"testnet","type":"bridge","isGateway":true,"ipMasq":true,
      "ipam":{"type":"host-local","dataDir":"/run/ipam","ranges":[[{"subnet":"10.22.0.0/24"}]],
              "routes":[{"dst":"0.0.0.0/0"}]}})");
    j["cniVersion"] = version;
    j["bridge"] = br;
    return j;
}

Call call(const std::string& cmd, const Netns& ns, const std::string& id) {
    return Call{.plugin = "bridge", .command = cmd, .container_id = id, .netns = ns.path};
}

std::string ip_of(const json& result) {
    auto a = result["ips"][0]["address"].get<std::string>();
    return a.substr(0, a.find('/'));
}

json with_prev(json c, const json& prev) {
    c["prevResult"] = prev;
    return c;
}

int count(const std::string& hay, const std::string& needle) {
    int n = 0;
    for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
    return n;
}

}  // namespace

class BridgeVersions : public ::testing::TestWithParam<std::string> {};

TEST_P(BridgeVersions, TwoContainersPingCheckDel) {
    const auto ver = GetParam();
    Netns a("a"), b("b");
    struct Cleanup {  // a failed assertion must not leak leases into the next version's run
        Netns &a, &b;
        std::string ver;
        ~Cleanup() {
            testcni::run(call("DEL", a, "ctr-a"), conf(ver));
            testcni::run(call("DEL", b, "ctr-b"), conf(ver));
        }
    } cleanup{a, b, ver};
    auto ra = testcni::run(call("ADD", a, "ctr-a"), conf(ver));
    ASSERT_TRUE(ra.ok()) << ra.out << ra.err;
    auto rb = testcni::run(call("ADD", b, "ctr-b"), conf(ver));
    ASSERT_TRUE(rb.ok()) << rb.out << rb.err;

    // Result shape for this version.
    const json& r = ra.json;
    EXPECT_EQ(r["cniVersion"], ver);
    ASSERT_EQ(r["interfaces"].size(), 3u);
    EXPECT_EQ(r["interfaces"][0]["name"], "cni0");
    EXPECT_FALSE(r["interfaces"][1].contains("sandbox"));
    EXPECT_EQ(r["interfaces"][2]["name"], "eth0");
    EXPECT_EQ(r["interfaces"][2]["sandbox"], a.path);
    EXPECT_EQ(r["ips"][0]["interface"], 2);
    EXPECT_EQ(r["ips"][0]["gateway"], "10.22.0.1");
    EXPECT_EQ(r["ips"][0].contains("version"), ver < "1.0.0");

    // Kernel state: addresses, default route, bridge gateway, veth enslaved.
    EXPECT_EQ(testcni::addrs(a.path, "eth0"), std::vector<std::string>{r["ips"][0]["address"]});
    auto routes = testcni::ip_json(a.path, {"route", "show", "default"});
    ASSERT_EQ(routes.size(), 1u);
    EXPECT_EQ(routes[0]["gateway"], "10.22.0.1");
    EXPECT_EQ(testcni::addrs("", "cni0"), std::vector<std::string>{"10.22.0.1/24"});
    auto hostveth = r["interfaces"][1]["name"].get<std::string>();
    auto link = testcni::ip_json("", {"link", "show", "dev", hostveth});
    ASSERT_EQ(link.size(), 1u);
    EXPECT_EQ(link[0]["master"], "cni0");
    EXPECT_NE(ip_of(ra.json), ip_of(rb.json));

    EXPECT_TRUE(testcni::ping(a.path, ip_of(rb.json)));
    EXPECT_TRUE(testcni::ping(b.path, ip_of(ra.json)));
    EXPECT_TRUE(testcni::ping(a.path, "10.22.0.1"));
    EXPECT_EQ(testcni::leases("/run/ipam/testnet").size(), 2u);
    EXPECT_EQ(count(testcni::iptables_nat(), "ctr-a"), 3);

    if (ver >= "0.4.0") {
        auto chk = testcni::run(call("CHECK", a, "ctr-a"), with_prev(conf(ver), ra.json));
        EXPECT_TRUE(chk.ok()) << chk.out;
    }

    for (int i = 0; i < 2; ++i) {  // DEL twice: idempotent
        auto d = testcni::run(call("DEL", a, "ctr-a"), with_prev(conf(ver), ra.json));
        EXPECT_TRUE(d.ok()) << d.out;
    }
    EXPECT_TRUE(testcni::link_names(a.path, "veth").empty());
    EXPECT_EQ(testcni::link_names("", "veth").size(), 1u);  // b's host veth only
    EXPECT_EQ(testcni::leases("/run/ipam/testnet").size(), 1u);
    EXPECT_EQ(count(testcni::iptables_nat(), "ctr-a"), 0);
    EXPECT_EQ(count(testcni::iptables_nat(), "ctr-b"), 3);

    ASSERT_TRUE(testcni::run(call("DEL", b, "ctr-b"), conf(ver)).ok());
    EXPECT_TRUE(testcni::link_names("", "veth").empty());
    EXPECT_TRUE(testcni::leases("/run/ipam/testnet").empty());
    EXPECT_EQ(testcni::iptables_nat().find("CNI-"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Versions, BridgeVersions, ::testing::Values("1.1.0", "1.0.0", "0.4.0", "0.3.1"));

TEST(Bridge, CheckFailsWhenAddressRemoved) {
    Netns a("a");
    auto ra = testcni::run(call("ADD", a, "c1"), conf());
    ASSERT_TRUE(ra.ok()) << ra.out;
    sh("ip -n a addr flush dev eth0");
    auto chk = testcni::run(call("CHECK", a, "c1"), with_prev(conf(), ra.json));
    EXPECT_FALSE(chk.ok());
    EXPECT_NE(chk.msg().find("missing"), std::string::npos) << chk.out;
    ASSERT_TRUE(testcni::run(call("DEL", a, "c1"), conf()).ok());
}

TEST(Bridge, DelAfterNetnsDeletedReleasesLeaseAndRules) {
    json result;
    {
        Netns a("gone");
        auto ra = testcni::run(call("ADD", a, "c-gone"), conf());
        ASSERT_TRUE(ra.ok()) << ra.out;
        result = ra.json;
    }  // netns deleted here: the veth goes with it
    for (const char* netns : {"/run/netns/gone", ""}) {
        Call d{.plugin = "bridge", .command = "DEL", .container_id = "c-gone", .netns = netns};
        auto r = testcni::run(d, with_prev(conf(), result));
        EXPECT_TRUE(r.ok()) << r.out;
    }
    EXPECT_TRUE(testcni::leases("/run/ipam/testnet").empty());
    EXPECT_EQ(testcni::iptables_nat().find("c-gone"), std::string::npos);
    // The kernel destroys a deleted netns (and the veth pair with it) from a workqueue, after
    // the last reference is gone: poll briefly instead of racing the cleanup.
    bool gone = false;
    for (int i = 0; i < 100 && !gone; ++i) {
        gone = testcni::link_names("", "veth").empty();
        if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_TRUE(gone) << "host veth still present 2 s after its netns was deleted";
}

TEST(Bridge, ParallelAddsOnNewBridgeThenParallelDels) {
    constexpr int kN = 50;
    std::vector<std::unique_ptr<Netns>> ns;
    for (int i = 0; i < kN; ++i) ns.push_back(std::make_unique<Netns>("p" + std::to_string(i)));
    std::vector<testcni::Reply> replies(kN);
    auto run_all = [&](const std::string& cmd) {
        std::vector<std::thread> ts;
        for (int i = 0; i < kN; ++i)
            ts.emplace_back([&, i] { replies[i] = testcni::run(call(cmd, *ns[i], "par" + std::to_string(i)), conf("1.0.0", "parbr0")); });
        for (auto& t : ts) t.join();
    };
    run_all("ADD");
    std::set<std::string> ips;
    int failures = 0;
    for (const auto& r : replies) {
        if (!r.ok()) {
            ++failures;
            ADD_FAILURE() << r.out << r.err;
            continue;
        }
        ips.insert(ip_of(r.json));
    }
    EXPECT_EQ(failures, 0);
    EXPECT_EQ(ips.size(), static_cast<std::size_t>(kN));
    auto bridges = testcni::link_names("", "bridge");
    EXPECT_EQ(std::count(bridges.begin(), bridges.end(), "parbr0"), 1);
    EXPECT_EQ(testcni::addrs("", "parbr0"), std::vector<std::string>{"10.22.0.1/24"});
    EXPECT_EQ(testcni::link_names("", "veth").size(), static_cast<std::size_t>(kN));
    run_all("DEL");
    for (const auto& r : replies) EXPECT_TRUE(r.ok()) << r.out;
    EXPECT_TRUE(testcni::link_names("", "veth").empty());
    EXPECT_TRUE(testcni::leases("/run/ipam/testnet").empty());
    EXPECT_EQ(testcni::iptables_nat().find("CNI-"), std::string::npos);
}

namespace {
std::string nft_table() {
    auto r = netlib::sys::spawn_capture({"/usr/sbin/nft", "list", "table", "bridge", "netrun_macspoof"},
                                        {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}, "");
    return r && r->exit_status == 0 ? r->out : std::string{};
}
}  // namespace

TEST(Bridge, MacSpoofCheckDropsForeignSourceMac) {
    Netns a("ma"), b("mb");
    json c = conf("1.1.0", "msbr0");
    c["macspoofchk"] = true;
    c["hairpinMode"] = true;
    auto ra = testcni::run(call("ADD", a, "ms-a"), c);
    ASSERT_TRUE(ra.ok()) << ra.out;
    auto rb = testcni::run(call("ADD", b, "ms-b"), c);
    ASSERT_TRUE(rb.ok()) << rb.out;
    auto host_port = ra.json["interfaces"][1]["name"].get<std::string>();
    EXPECT_NE(nft_table().find(host_port), std::string::npos) << nft_table();
    EXPECT_TRUE(testcni::ping(a.path, ip_of(rb.json)));

    json with = c;
    with["prevResult"] = ra.json;
    EXPECT_TRUE(testcni::run(call("CHECK", a, "ms-a"), with).ok());

    sh("ip -n ma link set eth0 address 02:00:00:00:be:ef; ip -n ma neigh flush all; ip -n mb neigh flush all");
    EXPECT_FALSE(testcni::ping(a.path, ip_of(rb.json))) << "spoofed source MAC was not dropped";

    EXPECT_TRUE(testcni::run(call("DEL", a, "ms-a"), with).ok());
    EXPECT_EQ(nft_table().find(host_port), std::string::npos);
    EXPECT_EQ(nft_table().find("id=ms-a"), std::string::npos);
    EXPECT_NE(nft_table().find("id=ms-b"), std::string::npos);

    // GC with b no longer valid removes its chain and element.
    Call gc{.plugin = "bridge", .command = "GC"};
    gc.env_override = {{"CNI_CONTAINERID", std::nullopt}, {"CNI_NETNS", std::nullopt}, {"CNI_IFNAME", std::nullopt}};
    json g = c;
    g["cni.dev/valid-attachments"] = json::array();
    auto gr = testcni::run(gc, g);
    EXPECT_TRUE(gr.ok()) << gr.out;
    EXPECT_EQ(nft_table().find("id=ms-b"), std::string::npos) << nft_table();
    EXPECT_TRUE(testcni::run(call("DEL", b, "ms-b"), c).ok());
}

// Builtin IPAM delegation must never override the runtime's CNI_PATH: a host-local found
// first in another directory is exec'd (marker written); ours beside bridge runs in-process.
TEST(Bridge, IpamFromCniPathIsExecdUnlessItIsOurs) {
    Netns ns("bi1");
    sh("mkdir -p /run/otheripam && printf '#!/bin/sh\\ntouch /run/otheripam/used\\nexec " +
       testcni::plugin_path("host-local") + "\\n' > /run/otheripam/host-local && chmod +x /run/otheripam/host-local");
    auto c = call("ADD", ns, "bi1");
    c.path = "/run/otheripam:" + testcni::plugin_dir();
    auto r = testcni::run(c, conf("1.0.0", "cni9"));
    ASSERT_TRUE(r.ok()) << r.out << r.err;
    EXPECT_EQ(::access("/run/otheripam/used", F_OK), 0) << "host-local first in CNI_PATH was not exec'd";
    EXPECT_EQ(testcni::leases("/run/ipam/testnet").size(), 1u);
    c.command = "DEL";
    ASSERT_TRUE(testcni::run(c, conf("1.0.0", "cni9")).ok());
    EXPECT_TRUE(testcni::leases("/run/ipam/testnet").empty());

    ::unlink("/run/otheripam/used");
    Netns ns2("bi2");
    auto c2 = call("ADD", ns2, "bi2");  // default CNI_PATH: our plugin dir only
    auto r2 = testcni::run(c2, conf("1.0.0", "cni9"));
    ASSERT_TRUE(r2.ok()) << r2.out << r2.err;
    EXPECT_NE(::access("/run/otheripam/used", F_OK), 0);
    EXPECT_EQ(testcni::leases("/run/ipam/testnet").size(), 1u);
    c2.command = "DEL";
    ASSERT_TRUE(testcni::run(c2, conf("1.0.0", "cni9")).ok());
    EXPECT_TRUE(testcni::leases("/run/ipam/testnet").empty());
}
