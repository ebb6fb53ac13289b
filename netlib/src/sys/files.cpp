#include "netlib/sys/files.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

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

Expected<> write_file_atomic(const std::string& path, std::string_view data, int mode) {
    std::string tmp = path + ".tmp." + std::to_string(::getpid());
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
    if (!fd) return fail_errno(Code::Io, "create " + tmp, errno);
    if (auto r = write_all(fd.get(), data, tmp); !r) {
        ::unlink(tmp.c_str());
        return r;
    }
    fd.reset();
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        int e = errno;
        ::unlink(tmp.c_str());
        return fail_errno(Code::Io, "rename " + tmp + " to " + path, e);
    }
    return {};
}

Expected<> mkdir_p(const std::string& path, int mode) {
    if (path.empty()) return {};
    for (std::size_t pos = 1;; ++pos) {
        pos = path.find('/', pos);
        std::string part = path.substr(0, pos);
        if (::mkdir(part.c_str(), static_cast<mode_t>(mode)) != 0 && errno != EEXIST)
            return fail_errno(Code::Io, "mkdir " + part, errno);
        if (pos == std::string::npos) break;
    }
    return {};
}

Expected<FileLock> FileLock::acquire(const std::string& path) {
    Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!fd) return fail_errno(Code::Io, "open lock " + path, errno);
    while (::flock(fd.get(), LOCK_EX) != 0) {
        if (errno != EINTR) return fail_errno(Code::Io, "flock " + path, errno);
    }
    return FileLock(std::move(fd));
}

}  // namespace netlib::sys
