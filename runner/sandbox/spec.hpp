#pragma once
// What a container is made of, as the sandbox needs it (the contract between runner/sandbox,
// runner/image and runner/lifecycle): launch() builds the namespaces, cgroup, mounts and
// security context from a Spec and execs the command; wait_exit(), exec_in(), usage() and
// remove_cgroup() serve the lifecycle commands.
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "netlib/error.hpp"

namespace netrun::sandbox {

struct VolumeMount {
    std::string source, target;
    bool read_only = false;
};

struct TmpfsMount {
    std::string target, options;
};

struct Resources {
    std::optional<std::int64_t> memory, memory_swap, pids_limit;  // bytes, bytes (-1 unlimited), count
    std::optional<double> cpus;                                   // --cpus: CPU time per second
    std::optional<std::uint64_t> cpu_shares;                      // v1 shares (weight on v2)
    std::string cpuset_cpus;                                      // "0-1", "0,1"
};

struct Security {
    std::vector<std::string> cap_add, cap_drop;  // "NET_ADMIN" / "CAP_NET_ADMIN" / "ALL"
    bool privileged = false;
    std::string seccomp;  // "" = default profile, "unconfined", or a JSON file
    bool no_new_privs = true;
};

enum class NetMode { None, Host, Netns };  // Netns: join netns_path (networking issue)

struct Spec {
    std::string id, name, hostname;
    std::string rootfs;  // mounted overlay dir (from netrun_image)
    std::vector<std::string> argv, env;
    std::string workdir = "/";
    std::string user;  // "uid[:gid]" or a name from the rootfs /etc/passwd
    std::vector<VolumeMount> volumes;
    std::vector<TmpfsMount> tmpfs;
    bool read_only = false;
    Resources resources;
    Security security;
    bool userns_auto = false;
    bool init = true;
    NetMode net = NetMode::None;
    std::string netns_path;
    int stdout_fd = 1, stderr_fd = 2, stdin_fd = 0;  // the monitor passes a log pipe for -d
    // When >= 0, the container reads one byte from it after its rootfs is ready and before
    // it drops privileges and execs: '1' goes on, anything else (or EOF) fails the start.
    // The network is attached meanwhile by another process (lifecycle/network_ops).
    int net_ready_fd = -1;
};

struct Launched {
    pid_t pid = -1;      // the container's PID 1, in our PID namespace
    std::string cgroup;  // cgroup path(s), ':'-separated for v1 controllers
};

// Called while the child is held on its sync pipe, after id maps and cgroup entry, before
// pivot_root/exec: the networking issue attaches CNI here.
using BeforeStart = std::function<netlib::Expected<void>(pid_t)>;

// Exit codes of the setup child before exec, as docker run reports them.
inline constexpr int kExitRunnerError = 125, kExitCannotInvoke = 126, kExitNotFound = 127;

netlib::Expected<Launched> launch(const Spec& spec, const BeforeStart& before_start = {});

// Exit status in docker terms: the code, or 128+signal; oom_killed from the cgroup's counters.
struct ExitInfo {
    int status = 0;
    bool oom_killed = false;
};
netlib::Expected<ExitInfo> wait_exit(const Launched& c);  // also removes the cgroup

// `netrun exec`: join all namespaces + cgroup of pid, run argv; returns the exit status.
netlib::Expected<int> exec_in(pid_t container_pid, const std::string& cgroup, const std::vector<std::string>& argv,
                              const std::vector<std::string>& env, const std::string& workdir);

struct Usage {
    std::int64_t memory_bytes = -1, pids = -1;
    double cpu_seconds = -1;
};
netlib::Expected<Usage> usage(const std::string& cgroup);
netlib::Expected<void> remove_cgroup(const std::string& cgroup);  // idempotent

}  // namespace netrun::sandbox
