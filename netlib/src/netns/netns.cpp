#include "netlib/netns/netns.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

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

Expected<> create_persistent(const std::string& path) {
    auto slash = path.rfind('/');
    if (slash != std::string::npos && slash > 0) NETLIB_TRYV(sys::mkdir_p(path.substr(0, slash)));
    sys::Fd f(::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0));
    if (!f) return fail_errno(Code::Kernel, "create " + path, errno);
    f.reset();
    // A short-lived child unshares and bind-mounts its new netns; the caller stays put.
    pid_t pid = ::fork();
    if (pid < 0) return fail_errno(Code::Kernel, "fork", errno);
    if (pid == 0) {
        if (::unshare(CLONE_NEWNET) != 0) ::_exit(1);
        if (::mount("/proc/self/ns/net", path.c_str(), nullptr, MS_BIND, nullptr) != 0) ::_exit(2);
        ::_exit(0);
    }
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        ::unlink(path.c_str());
        return fail(Code::Kernel, "create network namespace " + path +
                                      (WEXITSTATUS(st) == 1 ? ": unshare failed" : ": bind mount failed"));
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
