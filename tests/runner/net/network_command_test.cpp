// `netrun network` end to end (root, private namespaces): the real binary writes conflists
// into a temp config dir, `netrun net add` attaches netns to them through our plugins, and
// the kernel state is read back with iproute2.
#include "net/network_command.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "netrun_test/process.hpp"
#include "netrun_test/test_netns.hpp"

namespace fs = std::filesystem;
using netrun_test::ProcessResult;
using nlohmann::json;

namespace {

void sh(const std::string& cmd) {
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

// IPv4 addresses ("a.b.c.d/len") of `dev` in `netns` ("" = ours).
std::vector<std::string> v4_addrs(const std::string& netns, const std::string& dev) {
    std::vector<std::string> argv{"ip"};
    if (!netns.empty()) argv.insert(argv.end(), {"-n", netns});
    argv.insert(argv.end(), {"-j", "-4", "addr", "show", "dev", dev});
    auto r = netrun_test::run_process(argv);
    std::vector<std::string> out;
    if (!r.ok()) return out;
    for (const auto& link : json::parse(r.out))
        for (const auto& a : link["addr_info"])
            out.push_back(a["local"].get<std::string>() + "/" +
                          std::to_string(a["prefixlen"].get<int>()));
    return out;
}

class NetworkCommand : public ::testing::Test {
  protected:
    void SetUp() override {
        const char* bin = std::getenv("NETRUN_PLUGIN_DIR");
        ASSERT_NE(bin, nullptr) << "run through ctest (NETRUN_PLUGIN_DIR)";
        netrun_ = std::string(bin) + "/netrun";
        fs::remove_all(conf_dir_);
        fs::create_directories(conf_dir_);
    }
    void TearDown() override {
        (void)std::system("ip link del lan0 2>/dev/null");
        fs::remove_all(conf_dir_);
    }

    ProcessResult netrun(std::vector<std::string> args) {
        args.insert(args.begin(), netrun_);
        netrun_test::ProcessOptions opt{.env = {{"NETRUN_CNI_CONF_DIR", conf_dir_}},
                                        .inherit_env = true};
        return netrun_test::run_process(args, opt);
    }

    std::string conf_dir_ =
        "/run/netrun-network-test/net.d";  // /run is the harness's private tmpfs
    std::string netrun_;
};

}  // namespace

TEST_F(NetworkCommand, CreatedBridgeNetworkAttachesAndIsRemoved) {
    auto created = netrun({"network", "create", "web"});
    ASSERT_TRUE(created.ok()) << created.err;
    EXPECT_EQ(created.out, "web\n");
    ASSERT_TRUE(fs::exists(conf_dir_ + "/web.conflist"));

    auto ls = netrun({"network", "ls"});
    ASSERT_TRUE(ls.ok()) << ls.err;
    EXPECT_NE(ls.out.find("web "), std::string::npos) << ls.out;
    EXPECT_NE(ls.out.find(conf_dir_ + "/web.conflist"), std::string::npos) << ls.out;
    EXPECT_NE(ls.out.find("bridge "), std::string::npos) << ls.out;
    auto inspect = netrun({"network", "inspect", "web"});
    ASSERT_TRUE(inspect.ok()) << inspect.err;
    json info = json::parse(inspect.out);
    ASSERT_EQ(info.size(), 1u);
    const std::string subnet = info[0]["Subnets"][0];
    EXPECT_TRUE(subnet.starts_with("10.90.")) << subnet;
    EXPECT_EQ(info[0]["Config"]["plugins"][0]["bridge"], "nr-web");

    auto again = netrun({"network", "create", "web"});
    EXPECT_EQ(again.exit_status, 1);
    EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;

    netrun_test::TestNetns ctr;
    auto add = netrun({"net", "add", "web", ctr.path()});
    ASSERT_TRUE(add.ok()) << add.err;
    const std::string prefix = subnet.substr(0, subnet.rfind('.') + 1);  // "10.90.N."
    auto in_ctr = v4_addrs(ctr.name(), "eth0");
    ASSERT_EQ(in_ctr.size(), 1u);
    EXPECT_TRUE(in_ctr[0].starts_with(prefix) && in_ctr[0].ends_with("/24")) << in_ctr[0];
    EXPECT_EQ(v4_addrs("", "nr-web"), (std::vector<std::string>{prefix + "1/24"}));
    EXPECT_TRUE(netrun_test::ping(ctr.path(), prefix + "1"));

    auto del = netrun({"net", "del", "web", ctr.path()});
    ASSERT_TRUE(del.ok()) << del.err;
    EXPECT_TRUE(v4_addrs(ctr.name(), "eth0").empty());

    auto rm = netrun({"network", "rm", "web"});
    ASSERT_TRUE(rm.ok()) << rm.err;
    EXPECT_EQ(rm.out, "web\n");
    EXPECT_FALSE(fs::exists(conf_dir_ + "/web.conflist"));
    auto gone = netrun({"network", "inspect", "web"});
    EXPECT_EQ(gone.exit_status, 1);
}

TEST_F(NetworkCommand, CreatedMacvlanNetworkReachesTheParentsLan) {
    // The "LAN": lan0 here (the parent, with the host's address), its peer in another netns
    // standing for a machine on the LAN.
    netrun_test::TestNetns lan_host, ctr;
    sh("ip link add lan0 type veth peer name eth0 netns " + lan_host.name());
    sh("ip addr add 192.168.60.1/24 dev lan0 && ip link set lan0 up");
    sh("ip -n " + lan_host.name() + " addr add 192.168.60.200/24 dev eth0 && ip -n " +
       lan_host.name() + " link set eth0 up");

    auto created = netrun({"network", "create", "-d", "macvlan", "--subnet", "192.168.60.0/24",
                           "--gateway", "192.168.60.254", "-o", "parent=lan0", "lan"});
    ASSERT_TRUE(created.ok()) << created.err;
    auto add = netrun({"net", "add", "lan", ctr.path()});
    ASSERT_TRUE(add.ok()) << add.err;
    auto in_ctr = v4_addrs(ctr.name(), "eth0");
    // .1 is the host's own address on the parent: the ranges start after it.
    EXPECT_EQ(in_ctr, (std::vector<std::string>{"192.168.60.2/24"}));
    auto route =
        netrun_test::run_process({"ip", "-n", ctr.name(), "-j", "-4", "route", "show", "default"});
    ASSERT_TRUE(route.ok());
    json routes = json::parse(route.out);
    ASSERT_EQ(routes.size(), 1u) << route.out;
    EXPECT_EQ(routes[0]["gateway"], "192.168.60.254");
    EXPECT_TRUE(netrun_test::ping(ctr.path(), "192.168.60.200"));

    auto busy_rm = netrun({"network", "rm", "bridge"});
    EXPECT_EQ(busy_rm.exit_status, 1);
    EXPECT_NE(busy_rm.err.find("pre-defined"), std::string::npos) << busy_rm.err;

    auto del = netrun({"net", "del", "lan", ctr.path()});
    ASSERT_TRUE(del.ok()) << del.err;
    EXPECT_TRUE(v4_addrs(ctr.name(), "eth0").empty());
    auto rm = netrun({"network", "rm", "lan"});
    ASSERT_TRUE(rm.ok()) << rm.err;
    EXPECT_FALSE(fs::exists(conf_dir_ + "/lan.conflist"));
}

TEST_F(NetworkCommand, RmRefusesNetworksOutsideTheUserDir) {
    // The source tree's conf/ holds "demo": listed, but not netrun network's to remove.
    auto rm = netrun({"network", "rm", "demo"});
    EXPECT_EQ(rm.exit_status, 1);
    EXPECT_NE(rm.err.find("outside the user's config dir"), std::string::npos) << rm.err;
    auto usage = netrun({"network", "create"});
    EXPECT_EQ(usage.exit_status, 2);
    auto unknown = netrun({"network", "frob"});
    EXPECT_EQ(unknown.exit_status, 2);
}

TEST_F(NetworkCommand, RmAsksTheInUseHook) {
    ASSERT_TRUE(netrun({"network", "create", "busy"}).ok());
    ::setenv("NETRUN_CNI_CONF_DIR", conf_dir_.c_str(), 1);
    std::vector<std::string> asked;
    netrun::net::NetworkCommandHooks hooks{.in_use = [&](std::string_view n) {
        asked.emplace_back(n);
        return true;
    }};
    const std::vector<std::string_view> args{"rm", "busy"};
    EXPECT_EQ(netrun::net::network_main_with(hooks, args), 1);
    EXPECT_EQ(asked, (std::vector<std::string>{"busy"}));
    EXPECT_TRUE(fs::exists(conf_dir_ + "/busy.conflist"));
    hooks.in_use = [](std::string_view) { return false; };
    EXPECT_EQ(netrun::net::network_main_with(hooks, args), 0);
    EXPECT_FALSE(fs::exists(conf_dir_ + "/busy.conflist"));
    ::unsetenv("NETRUN_CNI_CONF_DIR");
}

TEST_F(NetworkCommand, ConcurrentCreatesGetDistinctSubnets) {
    std::string cmd = "export NETRUN_CNI_CONF_DIR=" + conf_dir_ + "; for i in 1 2 3 4 5 6; do " +
                      netrun_ + " network create par$i >/dev/null & done; wait";
    sh(cmd);
    auto inspect = netrun({"network", "inspect", "par1", "par2", "par3", "par4", "par5", "par6"});
    ASSERT_TRUE(inspect.ok()) << inspect.err;
    std::vector<std::string> subnets;
    for (const auto& n : json::parse(inspect.out)) subnets.push_back(n["Subnets"][0]);
    std::sort(subnets.begin(), subnets.end());
    EXPECT_EQ(std::adjacent_find(subnets.begin(), subnets.end()), subnets.end()) << inspect.out;
    EXPECT_EQ(subnets.size(), 6u);
}
