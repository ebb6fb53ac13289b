#include "ipam/disk_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "lease_file.hpp"

namespace ipam {

using netlib::Code;
using netlib::fail_errno;
using netlib::sys::Fd;

namespace {
Expected<> write_all(int fd, std::string_view data, const std::string& what) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail_errno(Code::Io, "write " + what, errno);
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
}

Expected<Fd> open_dir(const std::string& dir) {
    Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return fail_errno(Code::Io, "open IPAM data directory " + dir, errno);
    return fd;
}
}  // namespace

Expected<std::unique_ptr<DiskStore>> DiskStore::open(const std::string& data_dir,
                                                     const std::string& network, Mode mode) {
    const std::string dir = data_dir + "/" + network;
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) {
        if (errno != ENOENT) return fail_errno(Code::Io, "stat IPAM data directory " + dir, errno);
        if (mode == Mode::Existing) return std::unique_ptr<DiskStore>{};
        NETLIB_TRYV(netlib::sys::mkdir_p(dir, 0755));
    }
    Fd dirfd = NETLIB_TRY(open_dir(dir));
    auto lock = NETLIB_TRY(netlib::sys::FileLock::acquire(dir + "/" + std::string(files::kLock)));
    std::unique_ptr<DiskStore> s(new DiskStore(dir, std::move(dirfd), std::move(lock)));
    // With the lock held nobody is using the scratch files: any that exist were left by a
    // killed process. A leftover lease scratch may be a second link to a finished lease, so
    // it is unlinked, never truncated.
    NETLIB_TRYV(s->remove(files::kLeaseTmp));
    NETLIB_TRYV(s->remove(files::kWriteTmp));
    return s;
}

DiskStore::DiskStore(std::string dir, Fd dirfd, netlib::sys::FileLock lock)
    : dir_(std::move(dir)), dirfd_(std::move(dirfd)), lock_(std::move(lock)) {}

DiskStore::~DiskStore() {
    if (!tmp_content_.empty()) (void)remove(files::kLeaseTmp);
}

Expected<std::optional<std::string>> DiskStore::read(const std::string& name) const {
    Fd fd(::openat(dirfd_.get(), name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) {
        if (errno == ENOENT) return std::optional<std::string>{};
        return fail_errno(Code::Io, "open " + path(name), errno);
    }
    std::string out;
    char buf[512];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail_errno(Code::Io, "read " + path(name), errno);
        if (n == 0) break;
        out.append(buf, static_cast<std::size_t>(n));
        // Our files are a few dozen bytes; a huge one is nobody's lease and reading the head
        // is enough to see that it matches no attachment.
        if (out.size() >= 64 * 1024) break;
    }
    return std::optional<std::string>{std::move(out)};
}

Expected<> DiskStore::remove(const std::string& name) const {
    if (::unlinkat(dirfd_.get(), name.c_str(), 0) != 0 && errno != ENOENT)
        return fail_errno(Code::Io, "remove " + path(name), errno);
    return {};
}

// A fresh scratch file. open() already removed leftovers and every user removes its scratch
// again, so EEXIST is unexpected; it is still handled by unlinking (never truncating).
Expected<Fd> DiskStore::create_scratch(const char* name) {
    for (int attempt = 0;; ++attempt) {
        Fd fd(::openat(dirfd_.get(), name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        if (fd) return fd;
        if (errno != EEXIST || attempt > 0)
            return fail_errno(Code::Io, "create " + path(name), errno);
        NETLIB_TRYV(remove(name));
    }
}

// Written in full under a scratch name, then renamed: readers see the old or the new file.
Expected<> DiskStore::replace(const std::string& name, std::string_view data) {
    Fd fd = NETLIB_TRY(create_scratch(files::kWriteTmp));
    auto w = write_all(fd.get(), data, path(files::kWriteTmp));
    fd.reset();
    if (w && ::renameat(dirfd_.get(), files::kWriteTmp, dirfd_.get(), name.c_str()) != 0)
        w = fail_errno(Code::Io, "rename " + path(files::kWriteTmp) + " to " + path(name), errno);
    if (!w) (void)remove(files::kWriteTmp);
    return w;
}

// Fallback for filesystems without hard links: O_EXCL create, then write.
Expected<bool> DiskStore::create_exclusive(const std::string& name, std::string_view data) {
    Fd fd(::openat(dirfd_.get(), name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd) {
        if (errno == EEXIST) return false;
        return fail_errno(Code::Io, "create lease " + path(name), errno);
    }
    if (auto w = write_all(fd.get(), data, path(name)); !w) {
        (void)remove(name);
        return std::unexpected(w.error());
    }
    return true;
}

Expected<> DiskStore::prepare_lease_tmp(const std::string& content) {
    if (tmp_content_ == content) return {};
    if (!tmp_content_.empty()) NETLIB_TRYV(remove(files::kLeaseTmp));
    tmp_content_.clear();
    Fd fd = NETLIB_TRY(create_scratch(files::kLeaseTmp));
    tmp_content_ = content;  // the file exists now: the destructor must remove it
    if (auto w = write_all(fd.get(), content, path(files::kLeaseTmp)); !w) {
        tmp_content_.clear();
        (void)remove(files::kLeaseTmp);
        return w;
    }
    return {};
}

Expected<bool> DiskStore::reserve(const ip::Addr& addr, const Attachment& who) {
    const std::string name = addr.str();
    const std::string content = files::lease_content(who);
    if (!use_link_) return create_exclusive(name, content);
    NETLIB_TRYV(prepare_lease_tmp(content));
    if (::linkat(dirfd_.get(), files::kLeaseTmp, dirfd_.get(), name.c_str(), 0) == 0) {
        tmp_content_.clear();
        NETLIB_TRYV(remove(files::kLeaseTmp));
        return true;
    }
    const int err = errno;
    if (err == EEXIST) return false;
    if (err == EPERM || err == EOPNOTSUPP || err == ENOSYS || err == EMLINK) {
        use_link_ = false;
        tmp_content_.clear();
        NETLIB_TRYV(remove(files::kLeaseTmp));
        return create_exclusive(name, content);
    }
    return fail_errno(Code::Io, "create lease " + path(name), err);
}

Expected<> DiskStore::release(const ip::Addr& addr) {
    return remove(addr.str());
}

Expected<bool> DiskStore::is_leased(const ip::Addr& addr) {
    struct stat st {};
    if (::fstatat(dirfd_.get(), addr.str().c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) return true;
    if (errno == ENOENT) return false;
    return fail_errno(Code::Io, "stat " + path(addr.str()), errno);
}

Expected<std::optional<ip::Addr>> DiskStore::last_reserved(std::size_t set) {
    auto text = NETLIB_TRY(read(files::last_reserved_name(set)));
    if (!text) return std::optional<ip::Addr>{};
    while (!text->empty() && (text->back() == '\n' || text->back() == '\r' || text->back() == ' '))
        text->pop_back();
    // Unreadable content (e.g. a write cut short) only costs round-robin fairness once.
    return ip::Addr::parse(*text);
}

Expected<> DiskStore::set_last_reserved(std::size_t set, const ip::Addr& addr) {
    return replace(files::last_reserved_name(set), addr.str());
}

}  // namespace ipam
