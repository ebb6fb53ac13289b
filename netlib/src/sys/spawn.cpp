#include "netlib/sys/spawn.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <tuple>
#include <vector>

#include "netlib/sys/fd.hpp"

namespace netlib::sys {

namespace {

struct Pipe {
    Fd r, w;
};

Expected<Pipe> make_pipe() {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return fail_errno(Code::Io, "pipe", errno);
    return Pipe{Fd(p[0]), Fd(p[1])};
}

std::vector<int>& shared_fds() {
    static std::vector<int> fds;
    return fds;
}

std::vector<char*> c_strings(const std::vector<std::string>& v) {
    std::vector<char*> out;
    out.reserve(v.size() + 1);
    for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
    out.push_back(nullptr);
    return out;
}

// Feed input and drain both outputs until the child closes them.
Expected<> pump(Fd& in, Fd& out, Fd& err, std::string_view input, SpawnResult& r) {
    if (input.empty()) in.reset();
    char buf[16384];
    while (out || err) {
        pollfd fds[3];
        int n = 0;
        int idx_in = -1, idx_out = -1, idx_err = -1;
        if (in) fds[idx_in = n++] = {in.get(), POLLOUT, 0};
        if (out) fds[idx_out = n++] = {out.get(), POLLIN, 0};
        if (err) fds[idx_err = n++] = {err.get(), POLLIN, 0};
        if (::poll(fds, static_cast<nfds_t>(n), -1) < 0) {
            if (errno == EINTR) continue;
            return fail_errno(Code::Io, "poll", errno);
        }
        if (idx_in >= 0 && fds[idx_in].revents) {
            ssize_t w = ::write(in.get(), input.data(), input.size());
            if (w > 0) input.remove_prefix(static_cast<std::size_t>(w));
            if (input.empty() || (w < 0 && errno != EAGAIN && errno != EINTR)) in.reset();
        }
        for (auto [idx, fd, dst] : {std::tuple{idx_out, &out, &r.out}, std::tuple{idx_err, &err, &r.err}}) {
            if (idx < 0 || !fds[idx].revents) continue;
            ssize_t got = ::read(fd->get(), buf, sizeof buf);
            if (got > 0) dst->append(buf, static_cast<std::size_t>(got));
            else if (got == 0 || (errno != EINTR && errno != EAGAIN)) fd->reset();
        }
    }
    return {};
}

}  // namespace

namespace {
// A child that exits without reading stdin must not kill us with SIGPIPE.
class IgnoreSigpipe {
public:
    IgnoreSigpipe() {
        struct sigaction ign{};
        ign.sa_handler = SIG_IGN;
        ::sigaction(SIGPIPE, &ign, &old_);
    }
    ~IgnoreSigpipe() { ::sigaction(SIGPIPE, &old_, nullptr); }

private:
    struct sigaction old_{};
};
}  // namespace

Expected<Child> Child::launch(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                              std::string_view input, bool keep_stdin) {
    auto in = NETLIB_TRY(make_pipe());
    auto out = NETLIB_TRY(make_pipe());
    auto err = NETLIB_TRY(make_pipe());
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in.r.get(), 0);
    posix_spawn_file_actions_adddup2(&fa, out.w.get(), 1);
    posix_spawn_file_actions_adddup2(&fa, err.w.get(), 2);
    // dup2 onto itself clears close-on-exec in the child only.
    for (int fd : shared_fds()) posix_spawn_file_actions_adddup2(&fa, fd, fd);
    auto cargv = c_strings(argv);
    auto cenv = c_strings(env);
    pid_t pid = -1;
    int rc = 0;
    // A freshly written binary may still be open for writing by a parallel installer.
    for (int attempt = 0; attempt < 5; ++attempt) {
        rc = ::posix_spawn(&pid, cargv[0], &fa, nullptr, cargv.data(), cenv.data());
        if (rc != ETXTBSY) break;
        ::usleep(1000u << attempt);
    }
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) return fail_errno(Code::PluginExec, "exec " + argv[0], rc);
    Child c;
    c.pid_ = pid;
    c.program_ = argv[0];
    c.in_ = std::move(in.w);
    c.out_ = std::move(out.r);
    c.err_ = std::move(err.r);
    ::fcntl(c.in_.get(), F_SETFL, O_NONBLOCK);
    IgnoreSigpipe guard;
    while (!input.empty()) {
        ssize_t w = ::write(c.in_.get(), input.data(), input.size());
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;  // pipe full (rest goes in wait()) or child gone
        input.remove_prefix(static_cast<std::size_t>(w));
    }
    c.pending_input_ = std::string(input);
    if (input.empty() && !keep_stdin) c.in_.reset();
    return c;
}

void share_with_children(int fd) {
    shared_fds().push_back(fd);
}

void stop_sharing_with_children(int fd) {
    std::erase(shared_fds(), fd);
}

Expected<Child> Child::start(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                             std::string_view input) {
    return launch(argv, env, input, /*keep_stdin=*/false);
}

Expected<Child> Child::start_awaiting_input(const std::vector<std::string>& argv,
                                           const std::vector<std::string>& env) {
    return launch(argv, env, {}, /*keep_stdin=*/true);
}

Expected<SpawnResult> Child::wait(std::string_view input) {
    pending_input_ += input;
    return wait();
}

Child::~Child() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int st = 0;
    while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
    }
}

Expected<SpawnResult> Child::wait() {
    SpawnResult r;
    Expected<> pumped;
    {
        IgnoreSigpipe guard;
        pumped = pump(in_, out_, err_, pending_input_, r);
    }
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0) {
        if (errno != EINTR) return fail_errno(Code::Io, "waitpid " + program_, errno);
    }
    pid_ = -1;
    if (!pumped) return std::unexpected(pumped.error());
    r.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
}

Expected<SpawnResult> spawn_capture(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                                    std::string_view input) {
    auto child = NETLIB_TRY(Child::start(argv, env, input));
    return child.wait();
}

}  // namespace netlib::sys
