// Interop with the Go reference plugins (/usr/lib/cni, Debian containernetworking-plugins):
// both chains on the same network and bridge, ADDs alternating, DELs crossed. No duplicate
// addresses, every container reachable, and each side cleans up what the other made.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <set>

#include "cni_call.hpp"
#include "netlib/sys/spawn.hpp"

using nlohmann::json;
using testcni::Call;
using testcni::sh;

namespace {

const std::string kRef = "/usr/lib/cni";


json conf() {
    return json::parse(R"({"cniVersion":"1.0.0","name":"interop","type":"bridge","bridge":"iobr0",
      "isGateway":true,"ipMasq":true,
      "ipam":{"type":"host-local","dataDir":"/run/ipam-io","ranges":[[{"subnet":"10.66.0.0/24"}]]}})");
}

Call call(bool reference, const std::string& cmd, int i) {
    Call c{.plugin = reference ? kRef + "/bridge" : "bridge",
           .command = cmd,
           .container_id = "io" + std::to_string(i),
           .netns = "/run/netns/io" + std::to_string(i)};
    if (reference) c.path = kRef;
    return c;
}

std::string ip_of(const json& r) {
    auto a = r["ips"][0]["address"].get<std::string>();
    return a.substr(0, a.find('/'));
}

}  // namespace

TEST(Interop, AlternatingChainsShareNetworkAndCrossDelete) {
    struct stat st{};
    if (::stat((kRef + "/bridge").c_str(), &st) != 0) GTEST_SKIP() << "reference plugins not installed in " << kRef;
    constexpr int kN = 6;
    std::vector<json> results(kN);
    std::set<std::string> ips;
    for (int i = 0; i < kN; ++i) {
        sh("ip netns add io" + std::to_string(i));
        auto r = testcni::run(call(i % 2 == 0, "ADD", i), conf());
        ASSERT_TRUE(r.ok()) << (i % 2 == 0 ? "reference" : "netrun") << " ADD " << i << ": " << r.out << r.err;
        results[i] = r.json;
        ips.insert(ip_of(r.json));
    }
    EXPECT_EQ(ips.size(), static_cast<std::size_t>(kN)) << "duplicate address handed out";
    EXPECT_TRUE(testcni::ping("/run/netns/io0", ip_of(results[1])));
    EXPECT_TRUE(testcni::ping("/run/netns/io1", ip_of(results[2])));
    EXPECT_EQ(testcni::leases("/run/ipam-io/interop").size(), static_cast<std::size_t>(kN));

    // Crossed DEL: ours removes what the reference made and vice versa.
    for (int i = 0; i < kN; ++i) {
        json c = conf();
        c["prevResult"] = results[i];
        auto r = testcni::run(call(i % 2 == 1, "DEL", i), c);
        EXPECT_TRUE(r.ok()) << "DEL " << i << ": " << r.out << r.err;
        EXPECT_TRUE(testcni::link_names("/run/netns/io" + std::to_string(i), "veth").empty());
        sh("ip netns del io" + std::to_string(i));
    }
    EXPECT_TRUE(testcni::leases("/run/ipam-io/interop").empty());
    EXPECT_TRUE(testcni::link_names("", "veth").empty());
    EXPECT_EQ(testcni::iptables_nat().find("interop"), std::string::npos) << testcni::iptables_nat();
}
