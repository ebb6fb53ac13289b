#include "monitor.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>

#include "container_ops.hpp"
#include "network_ops.hpp"

namespace netrun::lifecycle {

namespace asio = boost::asio;

void mark_running(StateStore& states, ContainerState& s, const sandbox::Launched& l,
                  pid_t monitor) {
    s.status = "running";
    s.pid = l.pid;
    s.start_time = process_start_time(l.pid);
    s.cgroup = l.cgroup;
    s.monitor_pid = monitor;
    (void)states.save(s);
}

void mark_exited(StateStore& states, ContainerState& s, const sandbox::ExitInfo& info) {
    s.status = "exited";
    s.exit_code = info.status;
    s.oom_killed = info.oom_killed;
    s.finished = now_rfc3339();
    (void)states.save(s);
}

namespace {

// Log output to a file; past kLogCap the file becomes .1 and a new one starts.
class LogSink {
  public:
    explicit LogSink(std::string path) : path_(std::move(path)) { open(); }
    ~LogSink() {
        if (fd_ >= 0) ::close(fd_);
    }
    void write(const char* data, std::size_t n) {
        if (size_ + static_cast<long long>(n) > kLogCap) {
            ::close(fd_);
            ::rename(path_.c_str(), (path_ + ".1").c_str());
            open();
        }
        if (fd_ >= 0 && ::write(fd_, data, n) > 0) size_ += static_cast<long long>(n);
    }

  private:
    void open() {
        fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        size_ = 0;
    }
    std::string path_;
    int fd_ = -1;
    long long size_ = 0;
};

// The event loop: output until EOF, the container's exit on SIGCHLD; done when both happened.
void supervise(StateStore& states, ContainerState& s, const sandbox::Launched& l, int out_fd) {
    asio::io_context io;
    asio::posix::stream_descriptor out(io, out_fd);
    asio::signal_set sigs(io, SIGCHLD, SIGTERM, SIGINT);
    // SIGCHLD was blocked across the fork so that an early exit is not lost; with the
    // handler in place, let it (and any pending one) through.
    sigset_t chld;
    ::sigemptyset(&chld);
    ::sigaddset(&chld, SIGCHLD);
    ::sigprocmask(SIG_UNBLOCK, &chld, nullptr);
    LogSink log(states.log_path(s.id));
    std::array<char, 16384> buf;
    bool eof = false, exited = false;
    std::function<void()> read = [&] {
        out.async_read_some(asio::buffer(buf),
                            [&](const boost::system::error_code& ec, std::size_t n) {
                                if (n) log.write(buf.data(), n);
                                if (ec) {
                                    eof = true;
                                    if (exited) io.stop();
                                    return;
                                }
                                read();
                            });
    };
    std::function<void()> wait_signal = [&] {
        sigs.async_wait([&](const boost::system::error_code& ec, int sig) {
            if (ec) return;
            if (sig != SIGCHLD) {  // the monitor is asked to stop: stop the container
                ::kill(l.pid, sig);
            } else {
                siginfo_t si{};
                if (::waitid(P_PID, static_cast<id_t>(l.pid), &si, WEXITED | WNOHANG | WNOWAIT) ==
                        0 &&
                    si.si_pid == l.pid) {
                    auto info = sandbox::wait_exit(l);
                    (void)release_network(states,
                                          s);  // before the exit is visible: `stop` waits for it
                    mark_exited(states, s,
                                info ? *info : sandbox::ExitInfo{sandbox::kExitRunnerError, false});
                    exited = true;
                    if (eof) io.stop();
                    return;
                }
            }
            wait_signal();
        });
    };
    read();
    wait_signal();
    io.run();
}

}  // namespace

int start_detached(StateStore& states, ContainerState& s, const sandbox::Spec& spec_in,
                   const Launcher& launch) {
    int ready[2];
    if (::pipe2(ready, O_CLOEXEC) != 0)
        return fail_125({static_cast<int>(netlib::Code::Kernel), "pipe", {}});
    // SIGCHLD must not be delivered before the event loop's handler is installed.
    sigset_t chld, old;
    ::sigemptyset(&chld);
    ::sigaddset(&chld, SIGCHLD);
    ::sigprocmask(SIG_BLOCK, &chld, &old);
    pid_t mon = ::fork();
    if (mon < 0) return fail_125({static_cast<int>(netlib::Code::Kernel), "fork the monitor", {}});
    if (mon == 0) {
        ::close(ready[0]);
        ::setsid();
        int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
        ::dup2(null, 0), ::dup2(null, 1), ::dup2(null, 2);
        int out[2];
        if (::pipe2(out, O_CLOEXEC) != 0) ::_exit(sandbox::kExitRunnerError);
        auto spec = spec_in;
        spec.stdin_fd = null;
        spec.stdout_fd = spec.stderr_fd = out[1];
        auto l = launch(spec);
        ::close(out[1]);
        if (!l) {
            std::string msg = "E" + l.error().msg;
            (void)remove_container(states, s);
            (void)!::write(ready[1], msg.data(), msg.size());
            ::_exit(sandbox::kExitRunnerError);
        }
        mark_running(states, s, *l, ::getpid());
        (void)!::write(ready[1], "O", 1);
        ::close(ready[1]);
        supervise(states, s, *l, out[0]);
        if (s.auto_remove) (void)remove_container(states, s);
        ::_exit(0);
    }
    ::sigprocmask(SIG_SETMASK, &old, nullptr);
    ::close(ready[1]);
    std::string reply;
    char buf[512];
    ssize_t n;
    while ((n = ::read(ready[0], buf, sizeof buf)) > 0)
        reply.append(buf, static_cast<std::size_t>(n));
    ::close(ready[0]);
    if (reply == "O") {
        std::printf("%s\n", s.id.c_str());
        return 0;
    }
    std::fprintf(
        stderr, "netrun: %s\n",
        reply.empty() ? "the monitor died before the container started" : reply.c_str() + 1);
    if (reply.empty()) (void)remove_container(states, s);
    return sandbox::kExitRunnerError;
}

}  // namespace netrun::lifecycle
