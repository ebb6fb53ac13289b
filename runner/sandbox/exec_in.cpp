// `netrun exec`: a new process in every namespace and the cgroup of a running container,
// with the default security context, then the command.
#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "cgroup.hpp"
#include "process.hpp"
#include "security.hpp"
#include "spec.hpp"

namespace netrun::sandbox {

using netlib::Code;
using netlib::Expected;

Expected<int> exec_in(pid_t container_pid, const std::string& cgroup, const std::vector<std::string>& argv,
                      const std::vector<std::string>& env, const std::string& workdir) {
    if (argv.empty()) return netlib::fail(Code::InvalidConfig, "no command to run");
    // Open every namespace first: after joining the mount namespace /proc/<pid> may differ.
    std::vector<std::pair<int, int>> ns;  // fd, type
    for (auto [name, type] : {std::pair{"cgroup", CLONE_NEWCGROUP}, {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS},
                              {"net", CLONE_NEWNET}, {"pid", CLONE_NEWPID}, {"user", CLONE_NEWUSER}, {"mnt", CLONE_NEWNS}}) {
        std::string p = "/proc/" + std::to_string(container_pid) + "/ns/" + name;
        int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            for (auto& [f, t] : ns) ::close(f);
            return netlib::fail_errno(Code::InvalidConfig, "container process " + std::to_string(container_pid) + " is gone", errno);
        }
        ns.emplace_back(fd, type);
    }
    pid_t child = ::fork();
    if (child < 0) return netlib::fail_errno(Code::Kernel, "fork", errno);
    if (child == 0) {
        if (!join_cgroup(cgroup, ::getpid())) ::_exit(kExitRunnerError);
        for (auto [fd, type] : ns) {
            // Joining our own user namespace again is EINVAL: the container has none of its own.
            if (::setns(fd, type) != 0 && !(type == CLONE_NEWUSER && errno == EINVAL)) {
                std::perror("netrun exec: setns");
                ::_exit(kExitRunnerError);
            }
        }
        // The PID namespace applies to children: one more fork puts the command inside it.
        pid_t inner = ::fork();
        if (inner < 0) ::_exit(kExitRunnerError);
        if (inner == 0) {
            if (::chdir(workdir.empty() ? "/" : workdir.c_str()) != 0) {
                std::perror("netrun exec: chdir");
                ::_exit(kExitRunnerError);
            }
            if (!apply_security(Security{}, Ids{})) ::_exit(kExitRunnerError);
            exec_command(argv, with_default_path(env));
        }
        int st = 0;
        while (::waitpid(inner, &st, 0) < 0 && errno == EINTR) {
        }
        ::_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    }
    for (auto& [f, t] : ns) ::close(f);
    int st = 0;
    while (::waitpid(child, &st, 0) < 0)
        if (errno != EINTR) return netlib::fail_errno(Code::Kernel, "wait for exec'd process", errno);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

}  // namespace netrun::sandbox
