#include "netrun_test/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "netlib/sys/fd.hpp"

extern char** environ;

namespace netrun_test {

namespace {

using netlib::sys::Fd;
using Clock = std::chrono::steady_clock;

constexpr const char* kPath = "/usr/sbin:/usr/bin:/sbin:/bin";

struct Pipe {
    Fd r, w;
};

Pipe make_pipe() {
    int p[2] = {-1, -1};
    if (::pipe2(p, O_CLOEXEC) != 0) return {};
    return {Fd(p[0]), Fd(p[1])};
}

std::string resolve(const std::string& prog) {
    if (prog.find('/') != std::string::npos) return prog;
    std::string_view dirs = kPath;
    while (!dirs.empty()) {
        auto colon = dirs.find(':');
        std::string cand = std::string(dirs.substr(0, colon)) + "/" + prog;
        if (::access(cand.c_str(), X_OK) == 0) return cand;
        dirs = colon == std::string_view::npos ? std::string_view{} : dirs.substr(colon + 1);
    }
    return prog;
}

std::vector<std::string> build_env(const ProcessOptions& opt) {
    std::map<std::string, std::string> m;
    if (opt.inherit_env)
        for (char** e = environ; *e; ++e) {
            std::string_view kv = *e;
            auto eq = kv.find('=');
            if (eq != std::string_view::npos) m[std::string(kv.substr(0, eq))] = kv.substr(eq + 1);
        }
    for (const auto& [k, v] : opt.env) m[k] = v;
    std::vector<std::string> out;
    for (const auto& [k, v] : m) out.push_back(k + "=" + v);
    return out;
}

std::vector<char*> c_strings(const std::vector<std::string>& v) {
    std::vector<char*> out;
    for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
    out.push_back(nullptr);
    return out;
}

struct ChildSetup {
    const char* prog;
    char** argv;
    char** envp;
    int netns_fd;
    int in, out, err, report;  // report: exec failure errno goes here
};

// After fork(): async-signal-safe calls only.
[[noreturn]] void exec_child(const ChildSetup& c) {
    ::setpgid(0, 0);
    ::signal(SIGPIPE, SIG_DFL);
    int e = 0;
    if (c.netns_fd >= 0 && ::setns(c.netns_fd, CLONE_NEWNET) != 0) e = errno;
    if (e == 0 && (::dup2(c.in, 0) < 0 || ::dup2(c.out, 1) < 0 || ::dup2(c.err, 2) < 0)) e = errno;
    if (e == 0) {
        ::execve(c.prog, c.argv, c.envp);
        e = errno;
    }
    (void)!::write(c.report, &e, sizeof e);
    ::_exit(127);
}

int remaining_ms(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left < 0 ? 0 : static_cast<int>(left);
}

// Feed stdin and drain stdout/stderr until both close or the deadline passes.
bool pump(Fd& in, Fd& out, Fd& err, std::string_view input, ProcessResult& r, Clock::time_point deadline) {
    if (input.empty()) in.reset();
    else ::fcntl(in.get(), F_SETFL, O_NONBLOCK);
    char buf[16384];
    while (out || err) {
        pollfd fds[3];
        nfds_t n = 0;
        Fd* owners[3];
        for (Fd* f : {&in, &out, &err}) {
            if (!*f) continue;
            fds[n] = {f->get(), static_cast<short>(f == &in ? POLLOUT : POLLIN), 0};
            owners[n++] = f;
        }
        int ready = ::poll(fds, n, remaining_ms(deadline));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) return false;  // deadline
        for (nfds_t i = 0; i < n; ++i) {
            if (!fds[i].revents) continue;
            Fd& f = *owners[i];
            if (&f == &in) {
                ssize_t w = ::write(f.get(), input.data(), input.size());
                if (w > 0) input.remove_prefix(static_cast<std::size_t>(w));
                if (input.empty() || (w < 0 && errno != EAGAIN && errno != EINTR)) f.reset();
                continue;
            }
            ssize_t got = ::read(f.get(), buf, sizeof buf);
            if (got > 0) (&f == &out ? r.out : r.err).append(buf, static_cast<std::size_t>(got));
            else if (got == 0 || (errno != EINTR && errno != EAGAIN)) f.reset();
        }
    }
    return true;
}

// Wait for the child, killing its process group if the deadline passes first.
int reap(pid_t pid, Clock::time_point deadline, bool& timed_out) {
    Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (pidfd && !timed_out) {
        pollfd p{pidfd.get(), POLLIN, 0};
        int ready;
        while ((ready = ::poll(&p, 1, remaining_ms(deadline))) < 0 && errno == EINTR) {
        }
        if (ready == 0) timed_out = true;
    }
    if (timed_out) ::kill(-pid, SIGKILL);
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(st)) return WEXITSTATUS(st);
    if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
    return -1;
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& opt) {
    ProcessResult r;
    if (argv.empty()) {
        r.err = "run_process: empty argv";
        return r;
    }
    // Writing to a child that exited must be an error here, not a signal that ends the test.
    ::signal(SIGPIPE, SIG_IGN);
    std::string prog = resolve(argv[0]);
    auto env = build_env(opt);
    auto cargv = c_strings(argv);
    auto cenv = c_strings(env);
    Fd nsfd;
    if (!opt.netns.empty()) {
        nsfd.reset(::open(opt.netns.c_str(), O_RDONLY | O_CLOEXEC));
        if (!nsfd) {
            r.err = "open netns " + opt.netns + ": " + std::strerror(errno);
            return r;
        }
    }
    Pipe in = make_pipe(), out = make_pipe(), err = make_pipe(), report = make_pipe();
    if (!in.r || !out.r || !err.r || !report.r) {
        r.err = std::string("pipe: ") + std::strerror(errno);
        return r;
    }
    const auto deadline = Clock::now() + opt.timeout;
    pid_t pid = ::fork();
    if (pid < 0) {
        r.err = std::string("fork: ") + std::strerror(errno);
        return r;
    }
    if (pid == 0)
        exec_child({prog.c_str(), cargv.data(), cenv.data(), nsfd.get(), in.r.get(), out.w.get(), err.w.get(),
                    report.w.get()});
    in.r.reset();
    out.w.reset();
    err.w.reset();
    report.w.reset();
    int child_errno = 0;
    // EOF at exec (CLOEXEC) or the child's errno if it never got there.
    bool exec_failed = ::read(report.r.get(), &child_errno, sizeof child_errno) == sizeof child_errno;
    r.timed_out = !pump(in.w, out.r, err.r, opt.input, r, deadline);
    int status = reap(pid, deadline, r.timed_out);
    if (exec_failed) {
        r.err = "exec " + prog + ": " + std::strerror(child_errno);
        return r;  // exit_status stays -1
    }
    r.exit_status = status;
    return r;
}

ProcessResult run_in_netns(const std::string& netns_path, const std::vector<std::string>& argv) {
    ProcessOptions o;
    o.env = {{"PATH", kPath}};
    o.netns = netns_path;
    return run_process(argv, o);
}

bool ping(const std::string& netns_path, const std::string& addr) {
    ProcessOptions o;
    o.env = {{"PATH", kPath}};
    o.netns = netns_path;
    o.timeout = std::chrono::seconds(5);
    return run_process({"/bin/ping", "-c1", "-W1", addr}, o).ok();
}

std::string plugin_path(const std::string& name) {
    const char* dir = std::getenv("NETRUN_PLUGIN_DIR");
    return std::string(dir && *dir ? dir : "build/bin") + "/" + name;
}

}  // namespace netrun_test
