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
    auto m = spec({"sh", "-c", "x=$(head -c 100000000 /dev/zero | tr '\\000' a); echo survived"});
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

    // Limits as the kernel holds them, read from the host side while the container runs.
    auto c = spec({"sleep", "5"});
    c.resources.cpus = 0.5;
    c.resources.memory = 64LL << 20;
    c.stdout_fd = c.stderr_fd = 2;
    auto l = sb::launch(c);
    ASSERT_TRUE(l) << l.error().msg;
    EXPECT_EQ(l->cgroup, "/sys/fs/cgroup/netrun/" + c.id);
    EXPECT_EQ(slurp(l->cgroup + "/cpu.max"), "50000 100000\n");
    EXPECT_EQ(slurp(l->cgroup + "/memory.max"), "67108864\n");
    ::kill(l->pid, SIGKILL);
    ASSERT_TRUE(sb::wait_exit(*l));
    EXPECT_TRUE(cgroup_gone(c.id));
}
