#include "netlib/sys/files.hpp"

#include "netlib/sys/spawn.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <memory>

namespace netlib::sys {

Expected<std::string> read_file(const std::string& path) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return fail_errno(Code::Io, "open " + path, errno);
    std::string out;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail_errno(Code::Io, "read " + path, errno);
        }
        if (n == 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
}

namespace {
Expected<> write_all(int fd, std::string_view data, const std::string& path) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail_errno(Code::Io, "write " + path, errno);
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
}
}  // namespace

std::string temp_name_for(const std::string& path) {
    const auto slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
    const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
    return dir + "." + base + ".tmp." + std::to_string(::getpid());
}

bool is_temp_name(std::string_view name) {
    return name.starts_with(".") && name.find(".tmp.") != std::string_view::npos;
}

Expected<> write_file_atomic(const std::string& path, std::string_view data, int mode) {
    const std::string tmp = temp_name_for(path);
    const auto slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
    // An O_TMPFILE has no name while it is written, so a process killed mid-write leaves
    // nothing behind; only the link-then-rename step (two syscalls) can leave a hidden
    // ".<name>.tmp.<pid>", which sweep_temp_files() removes.
    Fd fd(::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, mode));
    const bool anonymous = static_cast<bool>(fd);
    if (!anonymous) fd = Fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
    if (!fd) return fail_errno(Code::Io, "create " + tmp, errno);
    if (auto r = write_all(fd.get(), data, tmp); !r) {
        if (!anonymous) ::unlink(tmp.c_str());
        return r;
    }
    if (anonymous) {
        // O_TMPFILE ignores the umask only partly; the mode is what callers rely on.
        ::fchmod(fd.get(), static_cast<mode_t>(mode));
        ::unlink(tmp.c_str());  // a leftover of a process that had our pid
        const std::string self = "/proc/self/fd/" + std::to_string(fd.get());
        if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, tmp.c_str(), AT_SYMLINK_FOLLOW) != 0)
            return fail_errno(Code::Io, "link " + tmp, errno);
    }
    fd.reset();
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        int e = errno;
        ::unlink(tmp.c_str());
        return fail_errno(Code::Io, "rename " + tmp + " to " + path, e);
    }
    return {};
}

void sweep_temp_files(const std::string& dir) {
    std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
    if (!d) return;
    while (auto* e = ::readdir(d.get())) {
        std::string_view name = e->d_name;
        if (!is_temp_name(name)) continue;
        // Only a dead writer's file: a live one is between its link and its rename.
        const auto pid = std::atoi(std::string(name.substr(name.rfind('.') + 1)).c_str());
        if (pid > 0 && (::kill(pid, 0) == 0 || errno != ESRCH)) continue;
        ::unlinkat(::dirfd(d.get()), e->d_name, 0);
    }
}

// The directory itself first: it or its parent nearly always exists already (plugins call
// this on every exec), so that is one mkdir instead of one per path component.
Expected<> mkdir_p(const std::string& path, int mode) {
    if (path.empty()) return {};
    if (::mkdir(path.c_str(), static_cast<mode_t>(mode)) == 0 || errno == EEXIST) return {};
    if (errno != ENOENT) return fail_errno(Code::Io, "mkdir " + path, errno);
    auto end = path.find_last_not_of('/');
    auto slash = end == std::string::npos ? std::string::npos : path.rfind('/', end);
    if (slash == std::string::npos || slash == 0) return fail_errno(Code::Io, "mkdir " + path, ENOENT);
    NETLIB_TRYV(mkdir_p(path.substr(0, slash), mode));
    if (::mkdir(path.c_str(), static_cast<mode_t>(mode)) != 0 && errno != EEXIST)
        return fail_errno(Code::Io, "mkdir " + path, errno);
    return {};
}

namespace {
Fd open_lock_file(const std::string& path) {
    return Fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
}
}  // namespace

Expected<FileLock> FileLock::acquire_creating_dir(const std::string& path, Children children) {
    Fd fd = open_lock_file(path);
    if (!fd && errno == ENOENT) {
        const auto slash = path.rfind('/');
        if (slash != std::string::npos && slash > 0) {
            NETLIB_TRYV(mkdir_p(path.substr(0, slash), 0700));
            fd = open_lock_file(path);
        }
    }
    if (!fd) return fail_errno(Code::Io, "open lock " + path, errno);
    return lock(std::move(fd), path, children);
}

Expected<FileLock> FileLock::acquire(const std::string& path, Children children) {
    Fd fd = open_lock_file(path);
    if (!fd) return fail_errno(Code::Io, "open lock " + path, errno);
    return lock(std::move(fd), path, children);
}

Expected<FileLock> FileLock::lock(Fd fd, const std::string& path, Children children) {
    while (::flock(fd.get(), LOCK_EX) != 0) {
        if (errno != EINTR) return fail_errno(Code::Io, "flock " + path, errno);
    }
    if (children == Children::Hold) share_with_children(fd.get());
    return FileLock(std::move(fd), children);
}

FileLock::FileLock(FileLock&& o) noexcept : fd_(std::move(o.fd_)), children_(o.children_) {}

FileLock::~FileLock() {
    if (fd_ && children_ == Children::Hold) stop_sharing_with_children(fd_.get());
}

}  // namespace netlib::sys
