#include "netlib/netns/netns.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <thread>

#include "netlib/sys/files.hpp"

namespace netlib::netns {

Expected<Netns> Netns::open(const std::string& path) {
    sys::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return fail_errno(Code::Kernel, "open network namespace " + path, errno);
    struct statfs sfs{};
    if (::fstatfs(fd.get(), &sfs) != 0) return fail_errno(Code::Kernel, "statfs " + path, errno);
    // nsfs, or procfs for /proc/<pid>/ns/net opened through a symlink on old kernels.
    if (sfs.f_type != NSFS_MAGIC && sfs.f_type != PROC_SUPER_MAGIC)
        return fail(Code::InvalidEnv, path + " is not a network namespace (not an nsfs file)");
    return Netns(std::move(fd), path);
}

Expected<Netns> open_container(const std::string& path) {
    auto ns = Netns::open(path);
    if (!ns && ns.error().sys_errno == ENOENT)
        return fail(Code::UnknownContainer, "network namespace " + path + " does not exist");
    return ns;
}

Expected<Netns> Netns::open_pid(pid_t pid) { return open("/proc/" + std::to_string(pid) + "/ns/net"); }

Expected<Netns> Netns::current() { return open("/proc/thread-self/ns/net"); }

bool Netns::same_as(const Netns& other) const {
    struct stat a{}, b{};
    if (::fstat(fd(), &a) != 0 || ::fstat(other.fd(), &b) != 0) return false;
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

Expected<Scope> Scope::enter(const Netns& ns) {
    sys::Fd orig(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
    if (!orig) return fail_errno(Code::Kernel, "open current network namespace", errno);
    if (::setns(ns.fd(), CLONE_NEWNET) != 0)
        return fail_errno(Code::Kernel, "enter network namespace " + ns.path(), errno);
    return Scope(std::move(orig));
}

Scope::~Scope() {
    if (!orig_) return;
    if (::setns(orig_.get(), CLONE_NEWNET) != 0) {
        std::perror("netrun: cannot return to the original network namespace");
        std::abort();
    }
}

namespace {

constexpr std::string_view kRunDir = "/run/netns";

// iproute2's arrangement: /run/netns is a mount point with shared propagation.
Expected<> make_shared_mount(const std::string& dir) {
    if (::mount("", dir.c_str(), "none", MS_SHARED | MS_REC, nullptr) == 0) return {};
    if (errno != EINVAL) return fail_errno(Code::Kernel, "make " + dir + " a shared mount", errno);
    // EINVAL: not a mount point yet; bind it onto itself, then retry.
    if (::mount(dir.c_str(), dir.c_str(), "none", MS_BIND | MS_REC, nullptr) != 0)
        return fail_errno(Code::Kernel, "bind mount " + dir + " onto itself", errno);
    if (::mount("", dir.c_str(), "none", MS_SHARED | MS_REC, nullptr) != 0)
        return fail_errno(Code::Kernel, "make " + dir + " a shared mount", errno);
    return {};
}

// Unshare in a short-lived thread: the netns belongs to that thread only, so the caller's
// threads never change namespace, and a thread is much cheaper than a forked child.
Expected<> bind_new_netns(const std::string& path) {
    int err = 0;
    const char* step = "";
    std::thread t([&] {
        if (::unshare(CLONE_NEWNET) != 0) {
            err = errno;
            step = "unshare a new network namespace";
        } else if (::mount("/proc/thread-self/ns/net", path.c_str(), nullptr, MS_BIND, nullptr) != 0) {
            err = errno;
            step = "bind mount the new network namespace";
        }
    });
    t.join();
    if (err != 0) return fail_errno(Code::Kernel, std::string(step) + " at " + path, err);
    return {};
}

}  // namespace

namespace {

// The file a netns bind mount goes on, with iproute2's arrangement of /run/netns.
Expected<> prepare_pin_file(const std::string& path) {
    auto slash = path.rfind('/');
    if (slash != std::string::npos && slash > 0) {
        std::string dir = path.substr(0, slash);
        NETLIB_TRYV(sys::mkdir_p(dir));
        if (dir == kRunDir) NETLIB_TRYV(make_shared_mount(dir));
    }
    sys::Fd f(::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0));
    if (!f) return fail_errno(Code::Kernel, "create network namespace file " + path, errno);
    return {};
}

}  // namespace

Expected<> create_persistent(const std::string& path) {
    NETLIB_TRYV(prepare_pin_file(path));
    auto bound = bind_new_netns(path);
    if (!bound) ::unlink(path.c_str());
    return bound;
}

Expected<> pin_existing(const std::string& source, const std::string& path) {
    NETLIB_TRYV(prepare_pin_file(path));
    if (::mount(source.c_str(), path.c_str(), nullptr, MS_BIND, nullptr) != 0) {
        const int e = errno;
        ::unlink(path.c_str());
        return fail_errno(Code::Kernel, "bind mount network namespace " + source + " at " + path, e);
    }
    return {};
}

Expected<> remove_persistent(const std::string& path) {
    if (::umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
        return fail_errno(Code::Kernel, "unmount " + path, errno);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return fail_errno(Code::Kernel, "remove " + path, errno);
    return {};
}

}  // namespace netlib::netns
