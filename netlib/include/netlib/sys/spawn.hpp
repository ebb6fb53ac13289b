#pragma once
// Run a program with given argv/env and stdin, capturing stdout and stderr. posix_spawn
// (vfork-style) keeps the cost of a child close to the exec itself; stdin is fed while
// output is drained so neither side can block on a full pipe.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "netlib/error.hpp"
#include "netlib/sys/fd.hpp"

#include <sys/types.h>

namespace netlib::sys {

struct SpawnResult {
    int exit_status = -1;  // exit code, or 128+signal if killed
    std::string out;
    std::string err;
};

// A started child. Its stdin is fed as far as the pipe takes it at start, so the child can
// run while the caller does other work (e.g. a plugin's IPAM exec overlapping a slow
// kernel operation); wait() feeds the rest, drains stdout/stderr and reaps it.
class Child {
public:
    static Expected<Child> start(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                                 std::string_view input);
    // A child whose input is not known yet: it starts up while the caller prepares that
    // input, then gets it from wait(input). Dropped before, it is killed having read nothing.
    static Expected<Child> start_awaiting_input(const std::vector<std::string>& argv,
                                                const std::vector<std::string>& env);
    Child(Child&& o) noexcept
        : pid_(std::exchange(o.pid_, -1)), program_(std::move(o.program_)),
          pending_input_(std::move(o.pending_input_)), in_(std::move(o.in_)), out_(std::move(o.out_)),
          err_(std::move(o.err_)) {}
    Child& operator=(Child&&) = delete;
    ~Child();  // a child never waited for is killed and reaped: no zombies, no orphans
    Expected<SpawnResult> wait();
    // For a start_awaiting_input() child: feeds `input`, then closes its stdin and waits.
    Expected<SpawnResult> wait(std::string_view input);

private:
    Child() = default;
    static Expected<Child> launch(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                                  std::string_view input, bool keep_stdin);
    pid_t pid_ = -1;
    std::string program_;
    std::string pending_input_;
    Fd in_, out_, err_;
};

// fd is passed to every child started from now on, at the same number, until
// stop_sharing_with_children(fd). For a lock: it stays held while such a child runs, even
// after this process is gone (a SIGKILLed plugin's iptables-restore still applies its batch
// afterwards; a DEL waiting for the lock then finds what it wrote).
void share_with_children(int fd);
void stop_sharing_with_children(int fd);

// env: full environment ("K=V"); argv[0] is the program path.
Expected<SpawnResult> spawn_capture(const std::vector<std::string>& argv,
                                    const std::vector<std::string>& env, std::string_view input);

}  // namespace netlib::sys
