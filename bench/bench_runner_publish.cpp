// The headline use, timed start to exit: `netrun run --rm -p 8088:80 IMAGE /bin/true`
// (bridge + host-local + portmap, DEL on exit) against `podman run --rm -p 8088:80` on the
// same busybox tree (Debian's podman 4.3, CNI backend, the Go reference plugins in
// /usr/lib/cni with podman's default chain bridge+portmap+firewall+tuning), interleaved in
// one run. Private netns and mount ns (nothing reaches the host network); /sys/fs/cgroup
// shows the v1 hierarchies only, which both runners then use. podman gets --ulimit values
// below this host's hard limits: without CAP_SYS_RESOURCE crun cannot set its defaults.
#include <sys/mount.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_common.hpp"

using namespace bench;

namespace {

constexpr const char* kPodmanConf = R"({"cniVersion":"1.0.0","name":"podman","plugins":[
 {"type":"bridge","bridge":"cni-podman0","isGateway":true,"ipMasq":true,"hairpinMode":true,
  "ipam":{"type":"host-local","routes":[{"dst":"0.0.0.0/0"}],"ranges":[[{"subnet":"10.88.0.0/16","gateway":"10.88.0.1"}]]}},
 {"type":"portmap","capabilities":{"portMappings":true}},{"type":"firewall"},{"type":"tuning"}]})";

}  // namespace

int main(int argc, char** argv) {
    const int iterations = argc > 1 ? std::atoi(argv[1]) : 20;
    const std::string netrun = argc > 2 ? argv[2] : "build/bin/netrun";
    enter_sandbox();
    sh("ip link set lo up && "
       "mount -t tmpfs cgroup_root /sys/fs/cgroup && "
       "for c in memory cpu cpuacct cpuset pids devices freezer blkio; do mkdir -p "
       "/sys/fs/cgroup/$c && "
       "mount -t cgroup -o $c cgroup /sys/fs/cgroup/$c; done");
    const std::vector<std::string> env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin",
                                          "NETRUN_ROOT=/run/bench-root",
                                          "NETRUN_STATE=/run/bench-state"};
    ::setenv("NETRUN_ROOT", "/run/bench-root", 1);
    ::setenv("NETRUN_STATE", "/run/bench-state", 1);
    sh(netrun + " run --rm --net=none netrun/busybox true");  // imports the built-in image
    const std::string podman = "/usr/bin/podman";
    const std::vector<std::string> pflags = {"--root",
                                             "/run/podman-root",
                                             "--runroot",
                                             "/run/podman-runroot",
                                             "--network-backend",
                                             "cni",
                                             "--cni-config-dir",
                                             "/run/podman-cni",
                                             "--cgroup-manager",
                                             "cgroupfs",
                                             "--events-backend",
                                             "none"};
    std::string pcmd = podman;
    for (const auto& f : pflags) pcmd += " " + f;
    sh("mkdir -p /run/podman-cni && cat > /run/podman-cni/podman.conflist <<'EOF'\n" +
       std::string(kPodmanConf) +
       "\nEOF\ntar -C \"$(ls -d /run/bench-root/layers/*/diff | head -1)\" -cf /run/bb.tar . && " +
       pcmd + " import -q /run/bb.tar localhost/bb >/dev/null");
    std::vector<std::string> prun{podman};
    prun.insert(prun.end(), pflags.begin(), pflags.end());
    for (const char* a : {"run", "--rm", "--ulimit", "nofile=1024:1024", "--ulimit",
                          "nproc=4096:4096", "-p", "8088:80", "localhost/bb", "/bin/true"})
        prun.emplace_back(a);
    const std::vector<std::string> ours_argv = {
        netrun, "run", "--rm", "-p", "8088:80", "netrun/busybox", "/bin/true"};
    timed(ours_argv, env, ""), timed(prun, env, "");  // warm-up: bridges, tables, caches
    std::vector<double> ours, ref;
    for (int i = 0; i < iterations; ++i) {
        ours.push_back(timed(ours_argv, env, ""));
        ref.push_back(timed(prun, env, ""));
    }
    auto a = stats(ours), b = stats(ref);
    std::printf(
        "run --rm -p 8088:80 IMAGE /bin/true, start to exit, %d iterations each, interleaved "
        "(ms)\n",
        iterations);
    std::printf("%-44s %8s %8s\n", "runner", "p50", "p95");
    std::printf("%-44s %8.2f %8.2f\n", "netrun (bridge+host-local+portmap)", a.median, a.p95);
    std::printf("%-44s %8.2f %8.2f\n", "podman 4.3 (CNI, reference plugins)", b.median, b.p95);
    std::printf("podman / netrun = %.1fx (target >= 10x)\n", b.median / a.median);
    return 0;
}
