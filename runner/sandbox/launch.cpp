// launch(): clone the container's first process into new namespaces, hold it on a pipe while
// the parent writes id maps, puts it into its cgroup and runs the network hook, then let it
// build its filesystem and security context and exec. Setup errors come back over a
// CLOEXEC pipe, so a successful exec is seen as EOF without any extra round trip.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "cgroup.hpp"
#include "process.hpp"
#include "rootfs_setup.hpp"
#include "security.hpp"
#include "spec.hpp"

namespace netrun::sandbox {

using netlib::Code;
using netlib::Expected;
using netlib::fail;

namespace {

struct Pipe {
    int r = -1, w = -1;
    Pipe() {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) == 0) r = fds[0], w = fds[1];
    }
    ~Pipe() {
        if (r >= 0) ::close(r);
        if (w >= 0) ::close(w);
    }
    void close_r() { ::close(r), r = -1; }
    void close_w() { ::close(w), w = -1; }
};

// The subordinate range of user "netrun" in /etc/subuid (or subgid); docker's userns-remap
// default range otherwise.
std::pair<unsigned long, unsigned long> subordinate_range(const char* file) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        std::stringstream ss(line);
        std::string name, start, count;
        if (std::getline(ss, name, ':') && std::getline(ss, start, ':') &&
            std::getline(ss, count) && name == "netrun")
            return {std::stoul(start), std::stoul(count)};
    }
    return {100000, 65536};
}

Expected<> write_id_maps(pid_t pid) {
    for (auto [map, file] : {std::pair{"uid_map", "/etc/subuid"}, {"gid_map", "/etc/subgid"}}) {
        auto [start, count] = subordinate_range(file);
        std::string p = "/proc/" + std::to_string(pid) + "/" + map;
        std::ofstream out(p);
        out << "0 " << start << " " << count << "\n";
        out.close();
        if (!out) return fail(Code::Kernel, "cannot write " + p);
    }
    return {};
}

// --userns=auto: the container's root is an unprivileged id on the host. It must be able to
// reach the rootfs (search permission on the store's directories above it) and own its "/"
// (a chown through the overlay lands on the upper layer). Files of the lower layers stay
// owned by the host's root: read-only to the container's root, as without idmapped mounts.
Expected<> grant_userns_rootfs(const std::string& rootfs, bool read_only) {
    const auto uid = subordinate_range("/etc/subuid").first,
               gid = subordinate_range("/etc/subgid").first;
    std::string dir = rootfs;
    for (int up = 0; up < 3; ++up) {  // <id>, containers/, the store root
        dir = dir.substr(0, dir.rfind('/'));
        struct stat st {};
        if (dir.empty() || ::stat(dir.c_str(), &st) != 0) break;
        if ((st.st_mode & 0011) != 0011 && ::chmod(dir.c_str(), (st.st_mode & 07777) | 0011) != 0)
            return netlib::fail_errno(Code::Kernel, "let the container's root reach " + dir, errno);
    }
    if (!read_only &&
        ::chown(rootfs.c_str(), static_cast<uid_t>(uid), static_cast<gid_t>(gid)) != 0)
        return netlib::fail_errno(Code::Kernel, "give " + rootfs + " to the container's root",
                                  errno);
    return {};
}

[[noreturn]] void child_fail(int errfd, const netlib::Error& e) {
    std::string msg = e.msg;
    (void)!::write(errfd, msg.data(), msg.size());
    ::_exit(kExitRunnerError);
}

[[noreturn]] void child_main(const Spec& spec, int syncfd, int errfd) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    char go = 0;
    if (::read(syncfd, &go, 1) != 1) ::_exit(kExitRunnerError);  // the parent gave up on us
    ::close(syncfd);
    auto step = [&](Expected<> r) {
        if (!r) child_fail(errfd, r.error());
    };
    // A new user namespace does not change who we are: become its (now mapped) root, or
    // every file we create would belong to an unmapped id (EOVERFLOW).
    if (spec.userns_auto && (::setresgid(0, 0, 0) != 0 || ::setresuid(0, 0, 0) != 0))
        step(netlib::fail_errno(Code::Kernel, "become root of the container's user namespace",
                                errno));
    // Entered only now, so the cgroup namespace's root is the container's own cgroup.
    if (::unshare(CLONE_NEWCGROUP) != 0)
        step(netlib::fail_errno(Code::Kernel, "unshare cgroup namespace", errno));
    if (spec.net == NetMode::Netns) {
        int fd = ::open(spec.netns_path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0)
            step(netlib::fail_errno(Code::InvalidConfig,
                                    "join network namespace " + spec.netns_path, errno));
        ::close(fd);
    }
    std::string host = spec.hostname.empty() ? spec.id.substr(0, 12) : spec.hostname;
    if (::sethostname(host.c_str(), host.size()) != 0)
        step(netlib::fail_errno(Code::Kernel, "sethostname", errno));
    step(setup_rootfs(spec));
    auto ids = resolve_user(spec.user);
    if (!ids) child_fail(errfd, ids.error());
    for (auto [from, to] : {std::pair{spec.stdin_fd, 0}, {spec.stdout_fd, 1}, {spec.stderr_fd, 2}})
        if (from != to && ::dup2(from, to) < 0)
            step(netlib::fail_errno(Code::Kernel, "dup2", errno));
    if (spec.net_ready_fd >= 0) {
        char ready = 0;
        while (::read(spec.net_ready_fd, &ready, 1) < 0 && errno == EINTR) {
        }
        if (ready != '1')
            child_fail(errfd,
                       {static_cast<int>(Code::Kernel), "the network could not be attached", {}});
        ::close(spec.net_ready_fd);
    }
    step(apply_security(spec.security, *ids));
    auto env = with_default_path(spec.env);
    if (spec.init) run_init(spec.argv, env);
    exec_command(spec.argv, env);
}

}  // namespace

Expected<Launched> launch(const Spec& spec, const BeforeStart& before_start) {
    if (spec.argv.empty()) return fail(Code::InvalidConfig, "no command to run");
    if (spec.id.empty()) return fail(Code::InvalidConfig, "container id is empty");
    auto caps = capability_set(spec.security);  // refuse unknown capabilities before any work
    if (!caps) return std::unexpected(caps.error());
    if (spec.userns_auto) NETLIB_TRYV(grant_userns_rootfs(spec.rootfs, spec.read_only));
    auto cgroup = NETLIB_TRY(create_cgroup(spec.id, spec.resources));
    Pipe sync, err;
    unsigned long flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | SIGCHLD;
    if (spec.net == NetMode::None) flags |= CLONE_NEWNET;
    if (spec.userns_auto) flags |= CLONE_NEWUSER;
    long pid = ::syscall(SYS_clone, flags, nullptr, nullptr, nullptr, nullptr);
    if (pid < 0) {
        int e = errno;
        (void)remove_cgroup(cgroup);
        return netlib::fail_errno(Code::Kernel, "clone the container process", e);
    }
    if (pid == 0) {
        sync.close_w();
        err.close_r();
        child_main(spec, sync.r, err.w);
    }
    sync.close_r();
    err.close_w();
    auto abort_child = [&](const netlib::Error& e) -> Expected<Launched> {
        ::kill(static_cast<pid_t>(pid), SIGKILL);
        ::waitpid(static_cast<pid_t>(pid), nullptr, 0);
        (void)remove_cgroup(cgroup);
        return std::unexpected(e);
    };
    if (spec.userns_auto)
        if (auto r = write_id_maps(static_cast<pid_t>(pid)); !r) return abort_child(r.error());
    if (auto r = join_cgroup(cgroup, static_cast<pid_t>(pid)); !r) return abort_child(r.error());
    if (before_start)
        if (auto r = before_start(static_cast<pid_t>(pid)); !r) return abort_child(r.error());
    char go = 1;
    if (::write(sync.w, &go, 1) != 1)
        return abort_child(
            netlib::Error{static_cast<int>(Code::Kernel), "release the container process", {}});
    sync.close_w();
    std::string msg;
    char buf[512];
    ssize_t n;
    while ((n = ::read(err.r, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0) msg.append(buf, static_cast<std::size_t>(n));
    if (!msg.empty()) {
        ::waitpid(static_cast<pid_t>(pid), nullptr, 0);
        (void)remove_cgroup(cgroup);
        return fail(Code::InvalidConfig, msg);
    }
    return Launched{static_cast<pid_t>(pid), cgroup};
}

Expected<ExitInfo> wait_exit(const Launched& c) {
    int status = 0;
    while (::waitpid(c.pid, &status, 0) < 0) {
        if (errno == EINTR) continue;
        return netlib::fail_errno(Code::Kernel,
                                  "wait for container process " + std::to_string(c.pid), errno);
    }
    ExitInfo info;
    info.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    info.oom_killed = oom_kills(c.cgroup) > 0;
    NETLIB_TRYV(remove_cgroup(c.cgroup));
    return info;
}

}  // namespace netrun::sandbox
