#include "rootfs_setup.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "netlib/sys/files.hpp"

namespace netrun::sandbox {

using netlib::Code;
using netlib::Expected;
using netlib::fail;

namespace {

Expected<> do_mount(const std::string& src, const std::string& dst, const char* type, unsigned long flags,
                    const char* data = nullptr) {
    if (::mount(src.c_str(), dst.c_str(), type, flags, data) != 0)
        return netlib::fail_errno(Code::Kernel, "mount " + src + " on " + dst, errno);
    return {};
}

// A bind mount's read-only flag takes a remount.
Expected<> remount_ro(const std::string& dst, unsigned long extra = 0) {
    return do_mount("", dst, nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | extra);
}

Expected<> ensure_target(const std::string& path, bool dir) {
    struct stat st{};
    if (::lstat(path.c_str(), &st) == 0) return {};
    if (dir) return netlib::sys::mkdir_p(path);
    NETLIB_TRYV(netlib::sys::mkdir_p(path.substr(0, path.rfind('/'))));
    int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0) return netlib::fail_errno(Code::Kernel, "create mount point " + path, errno);
    ::close(fd);
    return {};
}

Expected<> volumes(const Spec& spec) {
    for (const auto& v : spec.volumes) {
        struct stat st{};
        if (::stat(v.source.c_str(), &st) != 0)
            return fail(Code::InvalidConfig, "volume source " + v.source + " does not exist");
        std::string dst = spec.rootfs + v.target;
        NETLIB_TRYV(ensure_target(dst, S_ISDIR(st.st_mode)));
        NETLIB_TRYV(do_mount(v.source, dst, nullptr, MS_BIND | MS_REC));
        if (v.read_only) NETLIB_TRYV(remount_ro(dst));
    }
    return {};
}

Expected<> dev(const Spec& spec) {
    std::string d = spec.rootfs + "/dev";
    NETLIB_TRYV(ensure_target(d, true));
    NETLIB_TRYV(do_mount("tmpfs", d, "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k"));
    // Bind the host's nodes: works inside a user namespace too, where mknod does not.
    for (const char* n : {"null", "zero", "full", "random", "urandom", "tty"}) {
        NETLIB_TRYV(ensure_target(d + "/" + n, false));
        NETLIB_TRYV(do_mount(std::string("/dev/") + n, d + "/" + n, nullptr, MS_BIND));
    }
    if (::isatty(spec.stdin_fd)) {  // the console is the container's terminal, as in docker -t
        char tty[256];
        if (::ttyname_r(spec.stdin_fd, tty, sizeof tty) == 0) {
            NETLIB_TRYV(ensure_target(d + "/console", false));
            NETLIB_TRYV(do_mount(tty, d + "/console", nullptr, MS_BIND));
        }
    }
    NETLIB_TRYV(ensure_target(d + "/pts", true));
    NETLIB_TRYV(do_mount("devpts", d + "/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620"));
    (void)::symlink("pts/ptmx", (d + "/ptmx").c_str());
    NETLIB_TRYV(ensure_target(d + "/shm", true));
    NETLIB_TRYV(do_mount("shm", d + "/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k"));
    NETLIB_TRYV(ensure_target(d + "/mqueue", true));
    NETLIB_TRYV(do_mount("mqueue", d + "/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC));
    for (auto [link, to] : {std::pair{"fd", "/proc/self/fd"}, {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"},
                            {"stderr", "/proc/self/fd/2"}})
        (void)::symlink(to, (d + "/" + link).c_str());
    return {};
}

Expected<> sys(const Spec& spec) {
    std::string s = spec.rootfs + "/sys";
    NETLIB_TRYV(ensure_target(s, true));
    // A fresh sysfs shows this netns' devices; with the host's network it cannot be mounted
    // from a new user namespace, so the host's /sys is bound instead. Both read-only.
    if (::mount("sysfs", s.c_str(), "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) == 0) return {};
    NETLIB_TRYV(do_mount("/sys", s, nullptr, MS_BIND | MS_REC));
    return remount_ro(s, MS_NOSUID | MS_NODEV | MS_NOEXEC);
}

Expected<> pivot(const std::string& root) {
    if (::chdir(root.c_str()) != 0) return netlib::fail_errno(Code::Kernel, "chdir " + root, errno);
    // pivot_root(".", "."): the old root ends up stacked under the new one and is detached
    // right away, without needing a directory for it inside the image.
    if (::syscall(SYS_pivot_root, ".", ".") != 0) return netlib::fail_errno(Code::Kernel, "pivot_root", errno);
    if (::umount2(".", MNT_DETACH) != 0) return netlib::fail_errno(Code::Kernel, "detach the old root", errno);
    if (::chdir("/") != 0) return netlib::fail_errno(Code::Kernel, "chdir /", errno);
    return {};
}

// Docker's masked and read-only paths (moby oci/defaults.go), plus /proc/interrupts.
constexpr const char* kMasked[] = {"/proc/asound",       "/proc/acpi",         "/proc/kcore",
                                   "/proc/keys",         "/proc/latency_stats", "/proc/timer_list",
                                   "/proc/timer_stats",  "/proc/sched_debug",  "/proc/scsi",
                                   "/proc/interrupts",   "/sys/firmware",      "/sys/devices/virtual/powercap"};
constexpr const char* kReadOnly[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};

Expected<> mask_paths() {
    for (const char* p : kMasked) {
        struct stat st{};
        if (::stat(p, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) NETLIB_TRYV(do_mount("tmpfs", p, "tmpfs", MS_RDONLY, "size=0"));
        else NETLIB_TRYV(do_mount("/dev/null", p, nullptr, MS_BIND));
    }
    for (const char* p : kReadOnly) {
        if (::access(p, F_OK) != 0) continue;
        NETLIB_TRYV(do_mount(p, p, nullptr, MS_BIND | MS_REC));
        NETLIB_TRYV(remount_ro(p, MS_NOSUID | MS_NODEV | MS_NOEXEC));
    }
    return {};
}

}  // namespace

Expected<> setup_rootfs(const Spec& spec) {
    // Nothing done here may propagate back to the host's mounts.
    NETLIB_TRYV(do_mount("", "/", nullptr, MS_REC | MS_PRIVATE));
    struct stat st{};
    if (spec.rootfs.empty() || ::stat((spec.rootfs + "/").c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        return fail(Code::InvalidConfig, "rootfs " + spec.rootfs + " is not a directory");
    NETLIB_TRYV(do_mount(spec.rootfs, spec.rootfs, nullptr, MS_BIND | MS_REC));
    NETLIB_TRYV(volumes(spec));
    NETLIB_TRYV(ensure_target(spec.rootfs + "/proc", true));
    NETLIB_TRYV(do_mount("proc", spec.rootfs + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC));
    NETLIB_TRYV(dev(spec));
    NETLIB_TRYV(sys(spec));
    for (const auto& t : spec.tmpfs) {
        NETLIB_TRYV(ensure_target(spec.rootfs + t.target, true));
        NETLIB_TRYV(do_mount("tmpfs", spec.rootfs + t.target, "tmpfs", MS_NOSUID | MS_NODEV,
                             t.options.empty() ? "mode=1777" : t.options.c_str()));
    }
    NETLIB_TRYV(pivot(spec.rootfs));
    NETLIB_TRYV(mask_paths());
    if (spec.read_only) NETLIB_TRYV(remount_ro("/"));
    if (!spec.workdir.empty()) {
        if (::access(spec.workdir.c_str(), F_OK) != 0 && !spec.read_only) (void)netlib::sys::mkdir_p(spec.workdir);
        if (::chdir(spec.workdir.c_str()) != 0)
            return netlib::fail_errno(Code::InvalidConfig, "working directory " + spec.workdir, errno);
    }
    return {};
}

}  // namespace netrun::sandbox
