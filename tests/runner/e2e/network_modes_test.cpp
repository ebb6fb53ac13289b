// The other --net modes end to end: macvlan on the host's uplink (reached directly by
// another machine), container:NAME (shares the first container's address and ports;
// stopping it leaves the first intact), none (loopback only) and host (the host's
// interfaces), with docker's rejections.
#include <gtest/gtest.h>
#include <unistd.h>

#include "../sbx/sandbox_fixture.hpp"
#include "e2e_fixture.hpp"

using namespace e2e;

namespace {

const auto* const kCgroups = ::testing::AddGlobalTestEnvironment(new sbxtest::HostCgroups);
const auto* const kWorld = ::testing::AddGlobalTestEnvironment(new World);

class Modes : public ::testing::Test {
  protected:
    void TearDown() override { remove_all_containers(); }
};

std::string run_d(std::vector<std::string> args) {
    args.insert(args.begin(), {"run", "-d"});
    auto r = nr(args);
    EXPECT_EQ(r.exit_status, 0) << r.err;
    std::string id = r.out;
    while (!id.empty() && id.back() == '\n') id.pop_back();
    return id;
}

TEST_F(Modes, MacvlanIsReachedDirectlyByAnotherMachine) {
    const std::string id = run_d({"--name", "mv", "--net", "macvlan", "netrun/busybox", "httpd",
                                  "-f", "-p", "80", "-h", "/www"});
    const std::string ip = container_ip("mv");
    ASSERT_TRUE(ip.starts_with("192.168.77.")) << inspect("mv").dump(2);
    EXPECT_NE(ip, kHostIp);
    EXPECT_NE(ip, kOutsideIp);
    auto kind = sh("ip -n netrun-mv -d -o link show eth0");
    ASSERT_TRUE(kind);
    EXPECT_NE(kind->find("macvlan"), std::string::npos) << *kind;
    EXPECT_EQ(http_get(World::outside(), ip, 80), kPage);
    // The gateway is the LAN's router: the outside machine.
    auto route = sh("ip -n netrun-mv route show default");
    ASSERT_TRUE(route);
    EXPECT_NE(route->find("via " + kOutsideIp), std::string::npos) << *route;
    ASSERT_EQ(nr({"rm", "-f", "mv"}).exit_status, 0);
    EXPECT_EQ(leftovers(id, "mv"), "");
    EXPECT_EQ(sh("ip -o link | grep -c macvlan; true"), "0\n");
}

TEST_F(Modes, MacvlanRefusesPublishedPorts) {
    auto r = nr({"run", "--rm", "--name", "mvp", "--net", "macvlan", "-p", "8089:80",
                 "netrun/busybox", "true"});
    EXPECT_EQ(r.exit_status, 125);
    EXPECT_NE(r.err.find("publish"), std::string::npos) << r.err;
    EXPECT_EQ(::access("/run/netns/netrun-mvp", F_OK), -1);
}

TEST_F(Modes, ContainerModeSharesAddressAndPortsAndLeavesTheFirstIntact) {
    run_d({"--name", "base", "-p", "8088:80", "netrun/busybox", "httpd", "-f", "-p", "80", "-h",
           "/www"});
    const std::string ip = container_ip("base");
    ASSERT_FALSE(ip.empty());
    run_d({"--name", "side", "--net", "container:base", "netrun/busybox", "sh", "-c",
           "mkdir -p /w && echo side > /w/index.html && exec httpd -f -p 81 -h /w"});
    EXPECT_EQ(http_get("", ip, 81), "side\n")
        << "the second container answers on the first one's address";
    auto side_addr = nr({"exec", "side", "ip", "-o", "-4", "addr", "show", "eth0"}).out;
    EXPECT_NE(side_addr.find(ip + "/"), std::string::npos) << side_addr;
    // Shared ports: the first one's server is on the second one's localhost.
    EXPECT_EQ(nr({"exec", "side", "wget", "-q", "-O-", "http://127.0.0.1:80/"}).out, kPage);
    EXPECT_EQ(nr({"exec", "side", "cat", "/etc/hosts"}).out,
              nr({"exec", "base", "cat", "/etc/hosts"}).out);
    ASSERT_EQ(nr({"stop", "-t", "1", "side"}).exit_status, 0);
    ASSERT_EQ(nr({"rm", "side"}).exit_status, 0);
    EXPECT_EQ(http_get(World::outside(), kHostIp, 8088), kPage)
        << "the first container lost its network";
    auto addr = sh("ip -n netrun-base -o -4 addr show dev eth0");
    ASSERT_TRUE(addr);
    EXPECT_NE(addr->find(ip), std::string::npos);
}

TEST_F(Modes, ContainerModeRejections) {
    auto none = nr({"run", "--rm", "--net", "container:ghost", "netrun/busybox", "true"});
    EXPECT_EQ(none.exit_status, 125);
    EXPECT_NE(none.err.find("ghost"), std::string::npos) << none.err;
    run_d({"--name", "tgt", "--net", "none", "netrun/busybox", "sleep", "60"});
    for (auto extra : std::vector<std::vector<std::string>>{{"-p", "80:80"},
                                                            {"--hostname", "x"},
                                                            {"--add-host", "a:1.2.3.4"},
                                                            {"--dns", "1.1.1.1"},
                                                            {"--ip", "10.89.0.9"}}) {
        std::vector<std::string> args{"run", "--rm", "--net", "container:tgt"};
        args.insert(args.end(), extra.begin(), extra.end());
        args.insert(args.end(), {"netrun/busybox", "true"});
        auto r = nr(args);
        EXPECT_EQ(r.exit_status, 125) << extra[0];
        EXPECT_NE(r.err.find("conflicting options"), std::string::npos)
            << extra[0] << ": " << r.err;
    }
}

TEST_F(Modes, NoneHasOnlyLoopbackUp) {
    auto r = nr({"run", "--rm", "--name", "iso", "--net", "none", "netrun/busybox", "sh", "-c",
                 "ip -o link | cut -d: -f2; ping -c1 -W1 127.0.0.1 >/dev/null && echo lo-works"});
    EXPECT_EQ(r.exit_status, 0) << r.err;
    EXPECT_EQ(r.out, " lo\nlo-works\n");
    EXPECT_EQ(::access("/run/netns/netrun-iso", F_OK), -1) << "pin left after exit";
}

TEST_F(Modes, HostSeesTheHostInterfacesAndRefusesPublish) {
    auto r = nr({"run", "--rm", "--net", "host", "netrun/busybox", "ip", "-o", "-4", "addr"});
    EXPECT_NE(r.out.find(kHostIp), std::string::npos) << r.out << r.err;
    auto p = nr({"run", "--rm", "--net", "host", "-p", "80:80", "netrun/busybox", "true"});
    EXPECT_EQ(p.exit_status, 125);
    EXPECT_NE(p.err.find("conflicting options"), std::string::npos) << p.err;
}

TEST_F(Modes, CreatedNetworkRunsContainersAndIsNotRemovedWhileInUse) {
    auto c = nr({"network", "create", "--subnet", "10.91.0.0/24", "lan1"});
    ASSERT_EQ(c.exit_status, 0) << c.err;
    EXPECT_NE(nr({"network", "ls"}).out.find("lan1"), std::string::npos);
    run_d({"--name", "onlan", "--net", "lan1", "-p", "8095:80", "netrun/busybox", "httpd", "-f",
           "-p", "80", "-h", "/www"});
    EXPECT_TRUE(container_ip("onlan").starts_with("10.91.0.")) << inspect("onlan").dump(2);
    EXPECT_EQ(http_get(World::outside(), kHostIp, 8095), kPage);
    auto busy = nr({"network", "rm", "lan1"});
    EXPECT_NE(busy.exit_status, 0) << "removed while a container is attached";
    ASSERT_EQ(nr({"rm", "-f", "onlan"}).exit_status, 0);
    EXPECT_EQ(nr({"network", "rm", "lan1"}).exit_status, 0);
    EXPECT_EQ(nr({"network", "ls"}).out.find("lan1"), std::string::npos);
}

// With --userns=auto the netns belongs to the container's user namespace: attached from the
// launch hook rather than ahead of the container's setup; the same network either way.
TEST_F(Modes, UsernsAutoGetsTheBridgeNetworkToo) {
    auto r = nr({"run", "--rm", "--userns=auto", "--name", "un", "netrun/busybox", "sh", "-c",
                 "ip -o -4 addr show eth0; cat /etc/hosts"});
    EXPECT_EQ(r.exit_status, 0) << r.err;
    EXPECT_NE(r.out.find("inet 10.89."), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\tun"), std::string::npos) << "hosts lacks the container:\n" << r.out;
    EXPECT_EQ(::access("/run/netns/netrun-un", F_OK), -1);
}

TEST_F(Modes, TwoNetworksGiveEth0AndEth1) {
    auto r = nr({"run", "--rm", "--net", "bridge", "--net", "macvlan", "netrun/busybox", "sh", "-c",
                 "ip -o -4 addr show eth0; ip -o -4 addr show eth1"});
    EXPECT_EQ(r.exit_status, 0) << r.err;
    EXPECT_NE(r.out.find("eth0    inet 10.89."), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("eth1    inet 192.168.77."), std::string::npos) << r.out;
}

}  // namespace
