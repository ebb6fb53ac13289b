// Start-to-exit of a container running /bin/true: `netrun run --net=none --rm IMAGE /bin/true`
// against `crun run` on an equivalent bundle (the same busybox tree, `crun spec` defaults:
// pid, net, ipc, uts, mount namespaces, cgroupfs) and a bare `unshare -fpmiun --mount-proc`,
// interleaved in one run. Runs in a private mount namespace whose /sys/fs/cgroup shows only
// the v1 hierarchies: crun refuses this host's hybrid layout, and netrun then uses the same
// v1 controllers, so both pay for the same cgroup work.
#include <sys/mount.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_common.hpp"

using namespace bench;

int main(int argc, char** argv) {
    int iterations = argc > 1 ? std::atoi(argv[1]) : 30;
    std::string netrun = argc > 2 ? argv[2] : "build/bin/netrun";
    if (::unshare(CLONE_NEWNS) != 0) return std::perror("bench: unshare (needs root)"), 77;
    ::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr);
    sh("mount -t tmpfs bench /run && mount -t tmpfs cgroup_root /sys/fs/cgroup && "
       "for c in memory cpu cpuacct cpuset pids devices freezer blkio; do mkdir -p /sys/fs/cgroup/$c && "
       "mount -t cgroup -o $c cgroup /sys/fs/cgroup/$c; done");
    ::setenv("NETRUN_ROOT", "/run/bench-root", 1);
    ::setenv("NETRUN_STATE", "/run/bench-state", 1);
    // The crun bundle: the rootfs of the image netrun runs, copied out of its layer.
    sh(netrun + " run --rm netrun/busybox true");  // imports the built-in image
    sh("mkdir -p /run/bundle/rootfs && cp -a /run/bench-root/layers/*/diff/. /run/bundle/rootfs/ && "
       "cd /run/bundle && crun spec && sed -i 's/\"terminal\": true/\"terminal\": false/; s/\"sh\"/\"\\/bin\\/true\"/' config.json");
    std::vector<double> ours, crun, bare;
    const std::vector<std::string> env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "NETRUN_ROOT=/run/bench-root",
                                          "NETRUN_STATE=/run/bench-state"};
    for (int i = 0; i < iterations; ++i) {
        ours.push_back(timed({netrun, "run", "--net=none", "--rm", "netrun/busybox", "/bin/true"}, env, ""));
        crun.push_back(timed({"/usr/bin/crun", "--cgroup-manager=cgroupfs", "run", "--bundle", "/run/bundle",
                              "b" + std::to_string(i)}, env, ""));
        bare.push_back(timed({"/usr/bin/unshare", "-fpmiun", "--mount-proc", "/bin/true"}, env, ""));
    }
    auto a = stats(ours), b = stats(crun), c = stats(bare);
    std::printf("container start-to-exit of /bin/true, %d iterations each, interleaved (ms)\n", iterations);
    std::printf("%-34s %8s %8s\n", "runner", "p50", "p95");
    std::printf("%-34s %8.2f %8.2f\n", "netrun run --net=none --rm", a.median, a.p95);
    std::printf("%-34s %8.2f %8.2f\n", "crun run (cgroupfs, v1)", b.median, b.p95);
    std::printf("%-34s %8.2f %8.2f\n", "unshare -fpmiun --mount-proc", c.median, c.p95);
    std::printf("netrun / crun = %.2fx (target <= 1.5x)\n", a.median / b.median);
    return 0;
}
