#include "image/fs_tree.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <memory>

namespace netrun::image {

using netlib::Code;
using netlib::sys::Fd;

namespace {

struct CloseDir {
    void operator()(DIR* d) const { ::closedir(d); }
};

// Empties the directory open as dir_fd (consumed), recursing depth first.
netlib::Expected<void> empty_dir(Fd dir_fd, dev_t dev, const std::string& path) {
    std::unique_ptr<DIR, CloseDir> dir(::fdopendir(dir_fd.get()));
    if (!dir) return netlib::fail_errno(Code::Io, "opendir " + path, errno);
    dir_fd.release();  // now owned by dir
    int fd = ::dirfd(dir.get());
    while (dirent* de = ::readdir(dir.get())) {
        std::string_view name = de->d_name;
        if (name == "." || name == "..") continue;
        std::string child = path + "/" + std::string(name);
        struct stat st {};
        if (::fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            if (errno == ENOENT) continue;
            return netlib::fail_errno(Code::Io, "stat " + child, errno);
        }
        if (S_ISDIR(st.st_mode)) {
            if (st.st_dev != dev)
                return netlib::fail(
                    Code::Io,
                    "remove " + child + ": is another filesystem (still mounted?); not descending");
            Fd sub(::openat(fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!sub) return netlib::fail_errno(Code::Io, "open " + child, errno);
            NETLIB_TRYV(empty_dir(std::move(sub), dev, child));
            if (::unlinkat(fd, de->d_name, AT_REMOVEDIR) != 0 && errno != ENOENT)
                return netlib::fail_errno(Code::Io, "rmdir " + child, errno);
        } else if (::unlinkat(fd, de->d_name, 0) != 0 && errno != ENOENT) {
            return netlib::fail_errno(Code::Io, "unlink " + child, errno);
        }
    }
    return {};
}

}  // namespace

netlib::Expected<void> remove_tree(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) return {};
        return netlib::fail_errno(Code::Io, "stat " + path, errno);
    }
    if (S_ISDIR(st.st_mode)) {
        Fd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!fd) return netlib::fail_errno(Code::Io, "open " + path, errno);
        NETLIB_TRYV(empty_dir(std::move(fd), st.st_dev, path));
        if (::rmdir(path.c_str()) != 0 && errno != ENOENT)
            return netlib::fail_errno(Code::Io, "rmdir " + path, errno);
        return {};
    }
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
        return netlib::fail_errno(Code::Io, "unlink " + path, errno);
    return {};
}

netlib::Expected<Fd> open_dir_beneath(int dir_fd, const std::string& rel, bool create) {
    Fd cur(::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0));
    if (!cur) return netlib::fail_errno(Code::Io, "dup directory fd", errno);
    std::string_view rest = rel;
    while (!rest.empty()) {
        std::size_t slash = rest.find('/');
        std::string comp(rest.substr(0, slash));
        rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
        if (create && ::mkdirat(cur.get(), comp.c_str(), 0755) != 0 && errno != EEXIST)
            return netlib::fail_errno(Code::Io, "mkdir " + rel, errno);
        // O_NOFOLLOW: a symlink component fails with ELOOP instead of leading elsewhere.
        Fd next(::openat(cur.get(), comp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!next)
            return netlib::fail_errno(Code::Io,
                                      "open directory " + rel + " (component " + comp + ")", errno);
        cur = std::move(next);
    }
    return cur;
}

netlib::Expected<TempDir> TempDir::create(const std::string& parent, const std::string& prefix) {
    std::string tmpl = parent + "/" + prefix + "XXXXXX";
    if (!::mkdtemp(tmpl.data())) return netlib::fail_errno(Code::Io, "mkdtemp " + tmpl, errno);
    return TempDir(std::move(tmpl));
}

TempDir::~TempDir() {
    // Best effort: a leftover temp dir is harmless (never read) and is swept on the next import.
    if (!path_.empty()) (void)remove_tree(path_);
}

}  // namespace netrun::image
