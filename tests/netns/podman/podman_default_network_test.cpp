// podman's default network (bridge + portmap + firewall + tuning, the shape of its
// 87-podman-bridge.conflist) served entirely by our plugins: Debian's podman 4.3 with the CNI
// backend and only our plugin directory, run as a user would (`podman run -d -p 8089:80`),
// inside the test's private netns and mount ns. The page is fetched through the published
// port, each plugin's work is read back from the kernel and from disk, and `podman rm` must
// leave none of it. SKIPs when podman is not installed (scripts/setup.sh installs it).
#include <gtest/gtest.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "../plugins/cni_call.hpp"
#include "netlib/sys/spawn.hpp"

namespace {

namespace fs = std::filesystem;

const std::string kDir = "/run/podman-test";
const std::vector<std::string> kEnv = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin",
                                       "CONTAINERS_CONF=" + kDir + "/containers.conf"};

netlib::sys::SpawnResult run_sh(const std::string& cmd) {
    auto r = netlib::sys::spawn_capture({"/bin/sh", "-c", cmd}, kEnv, "");
    if (!r) return {.exit_status = -1, .out = {}, .err = r.error().msg};
    return std::move(*r);
}

std::string podman_cmd() {
    return "podman --root " + kDir + "/root --runroot " + kDir +
           "/runroot --network-backend cni --cgroup-manager cgroupfs --events-backend none";
}

class PodmanDefaultNetwork : public ::testing::Test {
  protected:
    void SetUp() override {
        if (::access("/usr/bin/podman", X_OK) != 0) GTEST_SKIP() << "podman is not installed";
        char dir[PATH_MAX];
        ASSERT_NE(::realpath(testcni::plugin_dir().c_str(), dir), nullptr) << testcni::plugin_dir();
        // $1: state dir, $2: our plugin dir. crun sets up cgroups through the v1 hierarchies
        // (the host's unified tree is not delegated here); this view and everything else
        // lives and dies with the test's private mount ns.
        const std::string script = R"(set -e
D=$1
mkdir -p $D/cni $D/rootfs/bin $D/rootfs/www
mount -t tmpfs cgroup_root /sys/fs/cgroup
for c in memory cpu cpuacct cpuset pids devices freezer blkio; do
  mkdir -p /sys/fs/cgroup/$c; mount -t cgroup -o $c cgroup /sys/fs/cgroup/$c
done
cat > $D/cni/87-podman-bridge.conflist <<EOF
{"cniVersion":"0.4.0","name":"podman","plugins":[
 {"type":"bridge","bridge":"cni-podman0","isGateway":true,"ipMasq":true,"hairpinMode":true,
  "ipam":{"type":"host-local","routes":[{"dst":"0.0.0.0/0"}],
          "ranges":[[{"subnet":"10.88.0.0/16","gateway":"10.88.0.1"}]]}},
 {"type":"portmap","capabilities":{"portMappings":true}},
 {"type":"firewall"},
 {"type":"tuning","sysctl":{"net.ipv4.conf.eth0.arp_notify":"1"}}]}
EOF
printf '[network]\ncni_plugin_dirs = ["%s"]\nnetwork_config_dir = "%s"\n' "$2" $D/cni \
  > $D/containers.conf
cp /bin/busybox $D/rootfs/bin/
for a in sh httpd cat; do ln -s busybox $D/rootfs/bin/$a; done
echo hello-from-podman > $D/rootfs/www/index.html
tar -C $D/rootfs -cf $D/bb.tar .
)";
        auto r = netlib::sys::spawn_capture({"/bin/sh", "-c", script, "sh", kDir, dir}, kEnv, "");
        ASSERT_TRUE(r) << r.error().msg;
        ASSERT_EQ(r->exit_status, 0) << r->err;
        const auto import = run_sh(podman_cmd() + " import -q " + kDir + "/bb.tar localhost/bb");
        ASSERT_EQ(import.exit_status, 0) << import.err;
        ready_ = true;
    }
    void TearDown() override {
        // Also after a failed assertion: no container, conmon or veth outlives the test.
        if (ready_) run_sh(podman_cmd() + " rm -f -t 0 --all >/dev/null 2>&1");
    }

  private:
    bool ready_ = false;
};

TEST_F(PodmanDefaultNetwork, PublishedPageServedAndRmLeavesNothing) {
    const std::string p = podman_cmd();
    // --ulimit below this host's hard limits: without CAP_SYS_RESOURCE crun cannot raise them.
    auto run = run_sh(p +
                      " run -d --name web --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 "
                      "-p 8089:80 localhost/bb /bin/httpd -f -p 80 -h /www");
    ASSERT_EQ(run.exit_status, 0) << run.out << run.err;
    auto ip = run_sh(p + " inspect web --format '{{.NetworkSettings.IPAddress}}'");
    ASSERT_EQ(ip.exit_status, 0) << ip.err;
    const std::string addr = ip.out.substr(0, ip.out.find('\n'));
    ASSERT_EQ(addr.rfind("10.88.", 0), 0u) << ip.out;

    // portmap: the page through the published port, via 127.0.0.1 and the host's address.
    const std::string fetch =
        "for i in $(seq 20); do curl -s --max-time 1 http://%s:8089/ && exit 0; "
        "sleep 0.1; done; exit 1";
    for (const std::string host : {"127.0.0.1", "10.88.0.1"}) {
        std::string cmd = fetch;
        cmd.replace(cmd.find("%s"), 2, host);
        auto page = run_sh(cmd);
        EXPECT_EQ(page.out, "hello-from-podman\n") << "via " << host << ": " << page.err;
    }
    // Our portmap's own port record (the reference keeps none): the chain ran our binaries.
    EXPECT_TRUE(fs::exists("/var/lib/cni/netrun-portmap/ports/tcp-8089"));
    const std::string rules = run_sh("iptables-save").out;
    EXPECT_NE(rules.find("-j DNAT --to-destination " + addr + ":80"), std::string::npos) << rules;
    // firewall: the container's address is allowed through CNI-FORWARD.
    EXPECT_NE(rules.find("-A CNI-FORWARD -d " + addr + "/32"), std::string::npos) << rules;
    // bridge ipMasq: the container's masquerade chain is jumped to from POSTROUTING.
    EXPECT_NE(rules.find("-A POSTROUTING -s " + addr + "/32"), std::string::npos) << rules;
    // tuning: the sysctl inside the container.
    auto sysctl = run_sh(p + " exec web cat /proc/sys/net/ipv4/conf/eth0/arp_notify");
    EXPECT_EQ(sysctl.out, "1\n") << sysctl.err;

    auto rm = run_sh(p + " rm -f -t 0 web");
    ASSERT_EQ(rm.exit_status, 0) << rm.err;
    const std::string after = run_sh("iptables-save; ip6tables-save").out;
    EXPECT_EQ(after.find(addr), std::string::npos) << "rules of the container left:\n" << after;
    EXPECT_EQ(after.find("CNI-DN-"), std::string::npos) << after;
    EXPECT_FALSE(fs::exists("/var/lib/cni/netrun-portmap/ports/tcp-8089"));
    EXPECT_FALSE(fs::exists("/var/lib/cni/networks/podman/" + addr)) << "lease not released";
    EXPECT_EQ(run_sh("ip -o link show master cni-podman0").out, "") << "veth left on the bridge";
    EXPECT_NE(run_sh("curl -s --max-time 1 http://127.0.0.1:8089/").exit_status, 0)
        << "still published";
    // The shared chains stay, consistent: FORWARD still jumps to CNI-FORWARD once.
    const std::string fw = run_sh("iptables-save -t filter").out;
    EXPECT_NE(
        fw.find("-A FORWARD -m comment --comment \"CNI firewall plugin rules\" -j CNI-FORWARD"),
        std::string::npos)
        << fw;
}

}  // namespace
