#include "process.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "spec.hpp"

extern char** environ;

namespace netrun::sandbox {

std::vector<std::string> with_default_path(std::vector<std::string> env) {
    for (const auto& e : env)
        if (e.starts_with("PATH=")) return env;
    env.emplace_back("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    return env;
}

void exec_command(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
    std::vector<char*> a, e;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    for (const auto& s : env) e.push_back(const_cast<char*>(s.c_str()));
    e.push_back(nullptr);
    environ = e.data();  // execvp searches the container's PATH, not ours
    ::execvp(a[0], a.data());
    int err = errno;
    if (err == ENOENT) {
        std::fprintf(stderr, "netrun: exec: \"%s\": executable file not found in $PATH\n", a[0]);
        ::_exit(kExitNotFound);
    }
    std::fprintf(stderr, "netrun: exec: \"%s\": %s\n", a[0], std::strerror(err));
    ::_exit(kExitCannotInvoke);
}

void run_init(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
    sigset_t all;
    ::sigfillset(&all);
    ::sigprocmask(SIG_BLOCK, &all, nullptr);
    pid_t child = ::fork();
    if (child < 0) ::_exit(kExitRunnerError);
    if (child == 0) {
        ::sigprocmask(SIG_UNBLOCK, &all, nullptr);
        exec_command(argv, env);
    }
    // Only the command's exec may hold the setup error pipe open (it is CLOEXEC).
    for (int fd = 3; fd < 1024; ++fd) ::close(fd);
    while (true) {
        siginfo_t si{};
        if (::sigwaitinfo(&all, &si) < 0) continue;
        if (si.si_signo != SIGCHLD) {
            ::kill(child, si.si_signo);
            continue;
        }
        int status = 0;
        pid_t p;
        while ((p = ::waitpid(-1, &status, WNOHANG)) > 0) {
            if (p != child) continue;  // an orphan we adopted: reaped, nothing else to do
            ::_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        }
    }
}

}  // namespace netrun::sandbox
