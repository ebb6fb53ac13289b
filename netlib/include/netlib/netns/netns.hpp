#pragma once
// Network namespace handles. A Netns owns an fd on an nsfs file (a /run/netns/<name> bind
// mount, /proc/<pid>/ns/net, ...). Scope switches the calling thread into one and back.
#include <sys/types.h>

#include <string>

#include "netlib/error.hpp"
#include "netlib/sys/fd.hpp"

namespace netlib::netns {

class Netns {
public:
    // Errors: missing path -> sys_errno ENOENT (Code::Kernel; callers map it, e.g. to
    // UnknownContainer); not a netns -> Code::InvalidEnv.
    static Expected<Netns> open(const std::string& path);
    static Expected<Netns> open_pid(pid_t pid);
    static Expected<Netns> current();

    int fd() const noexcept { return fd_.get(); }
    const std::string& path() const noexcept { return path_; }
    bool same_as(const Netns& other) const;

private:
    Netns(sys::Fd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}
    sys::Fd fd_;
    std::string path_;
};

// RAII setns(): enters `ns` and restores the previous netns when destroyed. A thread that
// cannot get back would configure the wrong namespace from then on, so a failed restore
// aborts the process.
class Scope {
public:
    static Expected<Scope> enter(const Netns& ns);
    Scope(Scope&& o) noexcept : orig_(std::move(o.orig_)) {}
    Scope& operator=(Scope&&) = delete;
    Scope(const Scope&) = delete;
    ~Scope();

private:
    explicit Scope(sys::Fd orig) : orig_(std::move(orig)) {}
    sys::Fd orig_;
};

// CNI_NETNS of an ADD/CHECK: a path that does not exist means the container is gone, which
// the spec reports as "unknown container" (code 3) so the runtime need not clean up.
Expected<Netns> open_container(const std::string& path);

// A new, empty network namespace kept alive by a bind mount at `path` (like `ip netns add`).
// The caller's own namespace is not changed. Under /run/netns the directory is made a
// shared mount first, as iproute2 does, so a later unmount reaches copies of it in other
// mount namespaces and the netns can really go away. EEXIST (sys_errno) if `path` exists.
Expected<> create_persistent(const std::string& path);
// Keeps an existing netns (`source`: /proc/<pid>/ns/net, another pin) alive by a bind
// mount at `path`, arranged like create_persistent. EEXIST (sys_errno) if `path` exists.
Expected<> pin_existing(const std::string& source, const std::string& path);
// Unmount and unlink; success when it is already gone.
Expected<> remove_persistent(const std::string& path);

}  // namespace netlib::netns
