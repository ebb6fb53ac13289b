// --net=ipvlan end to end, as macvlan: the other machine on the LAN reaches the container's
// own address. This host's kernel has no ipvlan: SKIP here, run by the VM tier (Debian's
// kernel under qemu), where a missing ipvlan is a failure.
#include <gtest/gtest.h>

#include "../sbx/sandbox_fixture.hpp"
#include "e2e_fixture.hpp"
#include "netrun_test/kernel_feature.hpp"

using namespace e2e;

namespace {

const auto* const kCgroups = ::testing::AddGlobalTestEnvironment(new sbxtest::HostCgroups);
const auto* const kWorld = ::testing::AddGlobalTestEnvironment(new World);

class Ipvlan : public ::testing::Test {
  protected:
    void TearDown() override { remove_all_containers(); }
};

std::string run_web(const std::string& name, const std::string& net) {
    auto r = nr({"run", "-d", "--name", name, "--net", net, "netrun/busybox", "httpd", "-f", "-p",
                 "80", "-h", "/www"});
    EXPECT_EQ(r.exit_status, 0) << r.err;
    return r.out.substr(0, r.out.find('\n'));
}

TEST_F(Ipvlan, L2IsReachedDirectlyByAnotherMachineAndRmLeavesNothing) {
    NETRUN_NEED_FEATURE(netrun_test::missing_link_kind("ipvlan"));
    const std::string id = run_web("iv", "ipvlan");
    const std::string ip = container_ip("iv");
    ASSERT_TRUE(ip.starts_with("192.168.77.")) << inspect("iv").dump(2);
    EXPECT_NE(ip, kHostIp);
    EXPECT_NE(ip, kOutsideIp);
    auto link = sh("ip -n netrun-iv -d -o link show eth0");
    ASSERT_TRUE(link);
    EXPECT_NE(link->find("ipvlan"), std::string::npos) << *link;
    EXPECT_NE(link->find("mode l2"), std::string::npos) << *link;
    EXPECT_EQ(http_get(World::outside(), ip, 80), kPage);
    ASSERT_EQ(nr({"rm", "-f", "iv"}).exit_status, 0);
    EXPECT_EQ(leftovers(id, "iv"), "");
}

TEST_F(Ipvlan, L3IsReachedThroughTheHostAsRouter) {
    NETRUN_NEED_FEATURE(netrun_test::missing_link_kind("ipvlan"));
    run_web("iv3", "ipvlan:uplink0,mode=l3");
    const std::string ip = container_ip("iv3");
    ASSERT_TRUE(ip.starts_with("192.168.77.")) << inspect("iv3").dump(2);
    auto link = sh("ip -n netrun-iv3 -d -o link show eth0");
    ASSERT_TRUE(link);
    EXPECT_NE(link->find("mode l3"), std::string::npos) << *link;
    // L3 mode answers no ARP: the other machine routes the address to the host's MAC.
    ASSERT_TRUE(sh("ip route add " + ip + "/32 via " + kHostIp, World::outside()));
    EXPECT_EQ(http_get(World::outside(), ip, 80), kPage);
    (void)sh("ip route del " + ip + "/32", World::outside());
}

}  // namespace
