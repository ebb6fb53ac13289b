// Teardown on every exit path, asserted on what is left in the kernel and on disk (pin,
// CNI cache, leases, NAT rules, port records, bridge ports): normal exit (with and
// without --rm), stop, kill, rm -f, a killed monitor (cleaned by the next ps, rm or gc),
// and a host crash (state in /run lost, CNI cache kept: `netrun gc`).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>

#include <chrono>
#include <thread>

#include "../sbx/sandbox_fixture.hpp"
#include "e2e_fixture.hpp"

using namespace e2e;

namespace {

const auto* const kCgroups = ::testing::AddGlobalTestEnvironment(new sbxtest::HostCgroups);
const auto* const kWorld = ::testing::AddGlobalTestEnvironment(new World);

class Teardown : public ::testing::Test {
  protected:
    void TearDown() override { remove_all_containers(); }

    // A published web server: every kind of state (veth, lease, DNAT, records, cache).
    std::string start(const std::string& name) {
        auto r = nr({"run", "-d", "--name", name, "-p", "8088:80", "netrun/busybox", "httpd", "-f",
                     "-p", "80", "-h", "/www"});
        EXPECT_EQ(r.exit_status, 0) << r.err;
        std::string id = r.out.substr(0, r.out.find('\n'));
        EXPECT_NE(leftovers(id, name), "") << "nothing was set up?";
        EXPECT_EQ(http_get(World::outside(), kHostIp, 8088), kPage);
        return id;
    }
    void expect_clean(const std::string& id, const std::string& name, const std::string& path) {
        EXPECT_EQ(leftovers(id, name), "") << "after " << path;
        EXPECT_EQ(bridge_ports(0), 0) << "veth left after " << path;
    }
};

pid_t pid_of(const std::string& name, const char* key) {
    return inspect(name).value(key, 0);
}

bool wait_gone(pid_t pid) {
    for (int i = 0; i < 250; ++i) {
        if (::kill(pid, 0) != 0) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

TEST_F(Teardown, NormalExitReleasesTheNetworkEvenWithoutRm) {
    auto r = nr({"run", "--name", "once", "-p", "8091:80", "netrun/busybox", "sh", "-c",
                 "ip -o -4 addr show eth0"});
    EXPECT_EQ(r.exit_status, 0) << r.err;
    EXPECT_NE(r.out.find("10.89."), std::string::npos) << r.out;
    const std::string id = inspect("once").value("id", "");
    ASSERT_FALSE(id.empty()) << "without --rm the exited container stays";
    expect_clean(id, "once", "exit");
    auto rm = nr({"run", "--rm", "--name", "gone", "netrun/busybox", "true"});
    EXPECT_EQ(rm.exit_status, 0) << rm.err;
    EXPECT_EQ(::access("/run/netns/netrun-gone", F_OK), -1);
}

TEST_F(Teardown, Stop) {
    auto id = start("s1");
    ASSERT_EQ(nr({"stop", "-t", "2", "s1"}).exit_status, 0);
    expect_clean(id, "s1", "stop");
}

TEST_F(Teardown, Kill) {
    auto id = start("k1");
    ASSERT_EQ(nr({"kill", "k1"}).exit_status, 0);
    ASSERT_TRUE(wait_gone(pid_of("k1", "pid")));
    // The monitor releases the network before it records the exit.
    for (int i = 0; i < 100 && inspect("k1").value("status", "") == "running"; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    expect_clean(id, "k1", "kill");
}

TEST_F(Teardown, RmForce) {
    auto id = start("r1");
    ASSERT_EQ(nr({"rm", "-f", "r1"}).exit_status, 0);
    expect_clean(id, "r1", "rm -f");
}

TEST_F(Teardown, KilledMonitorIsCleanedByTheNextPsRmOrGc) {
    for (const char* next : {"ps", "rm", "gc"}) {
        const std::string name = std::string("m-") + next;
        auto id = start(name);
        const pid_t monitor = pid_of(name, "monitorPid");
        ASSERT_GT(monitor, 0);
        ASSERT_EQ(::kill(monitor, SIGKILL), 0);
        ASSERT_TRUE(wait_gone(pid_of(name, "pid"))) << "the container outlived its monitor";
        EXPECT_NE(leftovers(id, name), "") << "nothing to clean: the test would prove nothing";
        if (std::string(next) == "rm")
            EXPECT_EQ(nr({"rm", name}).exit_status, 0);
        else
            EXPECT_EQ(nr({next}).exit_status, 0) << next;
        expect_clean(id, name, std::string("a killed monitor and `netrun ") + next + "`");
        nr({"rm", "-f", name});
    }
}

TEST_F(Teardown, HostCrashLeavesOnlyTheCniCacheAndGcReleasesIt) {
    auto id = start("crash");
    const pid_t monitor = pid_of("crash", "monitorPid"), ctr = pid_of("crash", "pid");
    // The crash: every process dies, /run (state, netns pins) is lost; /var/lib survives.
    ::kill(monitor, SIGKILL);
    ::kill(ctr, SIGKILL);
    ASSERT_TRUE(wait_gone(ctr));
    ASSERT_EQ(::umount2("/run/netns/netrun-crash", MNT_DETACH), 0);
    ASSERT_TRUE(
        sh("rm -rf /run/e2e-state/containers /run/e2e-state/names /run/netns/netrun-crash"));
    const std::string cache = sh("ls /var/lib/cni/results").value_or("");
    ASSERT_NE(cache.find(id), std::string::npos) << "no cache entry to recover from: " << cache;
    auto gc = nr({"gc"});
    EXPECT_EQ(gc.exit_status, 0) << gc.out << gc.err;
    expect_clean(id, "crash", "a host crash and `netrun gc`");
    EXPECT_FALSE(http_get_now("", "127.0.0.1", 8088)) << "port still published";
}

}  // namespace
