// runner/sandbox on a cgroup v2 hierarchy with controllers. This host keeps the controllers
// in v1 hierarchies, so a fresh cgroup2 mount here has none and the test SKIPs; in the VM
// tier (label vm) the guest's cgroup2 has them and the limits must hold there.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "netrun_test/kernel_feature.hpp"
#include "sandbox_fixture.hpp"

using namespace sbxtest;

namespace {

// cgroup2 alone at /sys/fs/cgroup (the harness's fresh sysfs has nothing mounted there).
std::string mount_cgroup2() {
    if (std::system("mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null") != 0)
        return netrun_test::missing_feature_reason("mountable cgroup2", errno ? errno : ENODEV);
    auto controllers = slurp("/sys/fs/cgroup/cgroup.controllers");
    if (controllers.find("memory") == std::string::npos || controllers.find("pids") == std::string::npos)
        return netrun_test::missing_feature_reason("cgroup v2 memory/pids controllers (held by v1 hierarchies)", EBUSY);
    return {};
}

}  // namespace

TEST(SandboxCgroup2, MemoryPidsAndCpuLimitsOnV2) {
    static const std::string reason = mount_cgroup2();
    NETRUN_NEED_FEATURE(reason);
    auto m = spec({"sh", "-c", "x=$(head -c 100000000 /dev/zero | tr '\\\\000' a); echo survived"});
    m.resources.memory = 32LL << 20;
    m.resources.memory_swap = 32LL << 20;
    auto r = run(m);
    EXPECT_EQ(r.status, 137) << r.out << r.error;
    EXPECT_TRUE(r.oom);
    EXPECT_TRUE(cgroup_gone(m.id));

    auto p = spec({"sh", "-c", "sh -c 'for i in $(seq 1 60); do sleep 3 & done' 2>/dev/null; set -- /proc/[0-9]*; echo $#"});
    p.resources.pids_limit = 20;
    auto pr = run(p);
    EXPECT_LE(std::atoi(pr.out.c_str()), 20) << pr.out;

    auto c = spec({"cat", "/sys/fs/cgroup/cpu.max", "/sys/fs/cgroup/memory.max"});
    c.resources.cpus = 0.5;
    c.resources.memory = 64LL << 20;
    auto cr = run(c);
    EXPECT_NE(cr.out.find("50000 100000"), std::string::npos) << cr.out << cr.error;
    EXPECT_NE(cr.out.find("67108864"), std::string::npos) << cr.out;
}
