#pragma once
// Shared by the sandbox tests: a busybox rootfs, Spec defaults, and run() = launch + wait +
// captured output.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "sandbox/cgroup.hpp"
#include "sandbox/spec.hpp"

namespace sb = netrun::sandbox;

namespace sbxtest {

inline void sh(const std::string& cmd) { ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd; }

inline std::string slurp(const std::string& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// A busybox rootfs under /run (tmpfs of the harness), built once per test binary.
inline const std::string& rootfs() {
    static const std::string dir = [] {
        std::string d = "/run/sbx-rootfs";
        std::string cmd = "set -e; rm -rf " + d + "; mkdir -p " + d + "/bin " + d + "/etc " + d + "/tmp " + d + "/proc " + d + "/dev " + d + "/sys " + d +
                          "/data; cp /bin/busybox " + d + "/bin/busybox; chmod 1777 " + d + "/tmp; "
                          "for a in $(/bin/busybox --list); do [ \"$a\" = busybox ] || ln -sf busybox " + d +
                          "/bin/$a; done; printf 'root:x:0:0:root:/root:/bin/sh\\nnobody:x:65534:65534:nobody:/:/bin/sh\\n' > " +
                          d + "/etc/passwd; printf 'root:x:0:\\nnogroup:x:65534:\\n' > " + d + "/etc/group";
        if (std::system(cmd.c_str()) != 0) std::abort();
        return d;
    }();
    return dir;
}

inline int counter = 0;

inline sb::Spec spec(std::vector<std::string> argv) {
    sb::Spec s;
    s.id = "sbxtest" + std::to_string(::getpid()) + "x" + std::to_string(counter++);
    s.hostname = "ctr-test";
    s.rootfs = rootfs();
    s.argv = std::move(argv);
    return s;
}

struct Run {
    int status = -1;
    bool oom = false;
    std::string out;
    std::string error;  // launch() error, if any
};

// Launch, wait, and collect stdout+stderr (through a file: no pipe-size deadlock).
inline Run run(sb::Spec s) {
    Run r;
    std::string outfile = "/run/sbx-out-" + s.id;
    FILE* f = std::fopen(outfile.c_str(), "w+");
    s.stdout_fd = s.stderr_fd = ::fileno(f);
    s.stdin_fd = ::open("/dev/null", O_RDONLY);
    auto l = sb::launch(s);
    ::close(s.stdin_fd);
    if (!l) {
        r.error = l.error().msg;
    } else {
        auto e = sb::wait_exit(*l);
        if (e) r.status = e->status, r.oom = e->oom_killed;
    }
    std::fclose(f);
    r.out = slurp(outfile);
    ::unlink(outfile.c_str());
    return r;
}

inline bool cgroup_gone(const std::string& id) {
    for (const char* c : {"memory", "cpu", "pids", "cpuset"})
        if (::access(("/sys/fs/cgroup/" + std::string(c) + "/netrun/" + id).c_str(), F_OK) == 0) return false;
    return ::access(("/sys/fs/cgroup/unified/netrun/" + id).c_str(), F_OK) != 0 &&
           ::access(("/sys/fs/cgroup/netrun/" + id).c_str(), F_OK) != 0;
}

// The harness gave the test process a fresh sysfs (for its private netns), which hides the
// cgroup mounts: mount the host's hierarchies again, as they are in PID 1's namespace.
inline void remount_host_cgroups() {
    sh("mount -t tmpfs cgroup_root /sys/fs/cgroup && "
       "awk '{for(i=1;i<=NF;i++) if($i==\"-\") {print $5, $(i+1), $(i+3)}}' /proc/1/mountinfo | "
       "while read mp type opts; do case \"$type:$mp\" in cgroup:/sys/fs/cgroup/*|cgroup2:/sys/fs/cgroup*) "
       "mkdir -p $mp && mount -t $type -o $opts cgroup $mp;; esac; done; "
       // The VM tier's PID 1 sees its mounts under /newroot: there, the guest's cgroup2.
       "[ -n \"$(ls /sys/fs/cgroup)\" ] || { umount /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup; }");
}

class HostCgroups : public ::testing::Environment {
public:
    void SetUp() override { remount_host_cgroups(); }
};

}  // namespace sbxtest
