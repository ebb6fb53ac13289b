// DiskStore: finding an attachment's leases (index first, full scan as the fallback), GC.
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <functional>

#include "ipam/disk_store.hpp"
#include "lease_file.hpp"

namespace ipam {

using netlib::Code;
using netlib::fail_errno;

namespace {
// Calls fn(name) for every directory entry but "." and "..".
Expected<> for_each_name(int dirfd, const std::string& dir,
                         const std::function<Expected<>(std::string_view)>& fn) {
    int fd = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return fail_errno(Code::Io, "open " + dir, errno);
    std::unique_ptr<DIR, int (*)(DIR*)> d(::fdopendir(fd), ::closedir);
    if (!d) {
        int e = errno;
        ::close(fd);
        return fail_errno(Code::Io, "opendir " + dir, e);
    }
    for (;;) {
        errno = 0;
        dirent* e = ::readdir(d.get());
        if (!e) {
            if (errno != 0) return fail_errno(Code::Io, "readdir " + dir, errno);
            return {};
        }
        std::string_view name = e->d_name;
        if (name == "." || name == "..") continue;
        if (e->d_type != DT_REG && e->d_type != DT_UNKNOWN) continue;
        NETLIB_TRYV(fn(name));
    }
}

bool full_match(const Lease& l, const Attachment& who) {
    return l.ifname && l.container_id == who.container_id && *l.ifname == who.ifname;
}
}  // namespace

Expected<DiskStore::Lookup> DiskStore::lookup_indexed(const Attachment& who) const {
    Lookup out;
    const std::string name = files::index_name(who);
    if (name.empty()) return out;
    auto text = NETLIB_TRY(read(name));
    if (!text) return out;
    auto listed = files::parse_index(*text);
    if (!listed) return out;
    out.complete = !listed->empty();
    for (const auto& a : *listed) {
        // The reference may have released (and re-leased) an address behind our back.
        auto content = NETLIB_TRY(read(a.str()));
        if (content && full_match(files::parse_lease(a, *content), who))
            out.addrs.push_back(a);
        else
            out.complete = false;
    }
    return out;
}

// What the reference does: every lease of (id, ifname); if none, legacy leases of the id.
Expected<std::vector<ip::Addr>> DiskStore::scan(const Attachment& who) const {
    std::vector<ip::Addr> own, legacy;
    auto walked = for_each_name(dirfd_.get(), dir_, [&](std::string_view name) -> Expected<> {
        auto addr = files::lease_addr(name);
        if (!addr) return {};
        auto content = NETLIB_TRY(read(std::string(name)));
        if (!content) return {};  // released meanwhile (cannot happen under the lock; harmless)
        Lease l = files::parse_lease(*addr, *content);
        if (full_match(l, who))
            own.push_back(*addr);
        else if (!l.ifname && l.container_id == who.container_id)
            legacy.push_back(*addr);
        return {};
    });
    NETLIB_TRYV(walked);
    auto& found = own.empty() ? legacy : own;
    std::sort(found.begin(),
              found.end());  // directory order is arbitrary; callers get a stable one
    return found;
}

Expected<std::vector<ip::Addr>> DiskStore::held_fast(const Attachment& who) {
    return NETLIB_TRY(lookup_indexed(who)).addrs;
}

Expected<std::vector<ip::Addr>> DiskStore::held(const Attachment& who) {
    auto l = NETLIB_TRY(lookup_indexed(who));
    if (l.complete) return l.addrs;
    return scan(who);
}

Expected<std::vector<ip::Addr>> DiskStore::release_all(const Attachment& who) {
    auto addrs = NETLIB_TRY(held(who));
    // Best effort, like the reference: one stuck file must not keep the others leased.
    Expected<> first = {};
    for (const auto& a : addrs)
        if (auto r = release(a); !r && first) first = r;
    if (auto name = files::index_name(who); !name.empty())
        if (auto r = remove(name); !r && first) first = r;
    if (!first) return std::unexpected(first.error());
    return addrs;
}

Expected<> DiskStore::remember(const Attachment& who, std::span<const ip::Addr> addrs) {
    const std::string name = files::index_name(who);
    if (name.empty()) return {};  // no index: DEL/CHECK will scan
    return replace(name, files::index_content(addrs));
}

Expected<std::vector<Lease>> DiskStore::leases() {
    std::vector<Lease> out;
    auto walked = for_each_name(dirfd_.get(), dir_, [&](std::string_view name) -> Expected<> {
        auto addr = files::lease_addr(name);
        if (!addr) return {};
        auto content = NETLIB_TRY(read(std::string(name)));
        if (content) out.push_back(files::parse_lease(*addr, *content));
        return {};
    });
    NETLIB_TRYV(walked);
    return out;
}

Expected<> DiskStore::forget_except(std::span<const Attachment> valid) {
    std::vector<std::string> stale;
    auto walked = for_each_name(dirfd_.get(), dir_, [&](std::string_view name) -> Expected<> {
        auto who = files::parse_index_name(name);
        if (who && std::find(valid.begin(), valid.end(), *who) == valid.end())
            stale.emplace_back(name);
        return {};
    });
    NETLIB_TRYV(walked);
    for (const auto& n : stale) NETLIB_TRYV(remove(n));
    return {};
}

}  // namespace ipam
