// The verbs. ADD: bind the target's netns over CNI_NETNS and report the target's interfaces;
// DEL: undo exactly that bind (identified by the recorded nsfs inode), never touching the
// target's links or addresses; CHECK: the bind is still in place.
#include "join.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "netlib/ifcfg/describe.hpp"
#include "netlib/netlink/socket.hpp"
#include "netlib/netns/netns.hpp"
#include "netlib/sys/undo.hpp"

namespace container_join {

using netlib::Code;
using netlib::Expected;
using netlib::fail;
namespace cni = netlib::cni;

namespace {

std::optional<NsId> ns_id(const std::string& path) {
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0) return std::nullopt;
    return NsId{st.st_dev, st.st_ino};
}

// CNI_NETNS must be a file we can mount over: what containerd, podman and netrun create.
Expected<> check_mount_point(const std::string& netns) {
    struct stat st{};
    if (::lstat(netns.c_str(), &st) != 0) {
        if (errno == ENOENT) return fail(Code::UnknownContainer, "CNI_NETNS " + netns + " does not exist");
        return fail(Code::InvalidEnv, "CNI_NETNS " + netns + ": " + std::strerror(errno));
    }
    if (!S_ISREG(st.st_mode))
        return fail(Code::InvalidEnv,
                    "CNI_NETNS " + netns + " is not a file; container-join needs the network namespace file a "
                    "runtime bind-mounts (e.g. /run/netns/<name>) to mount the joined namespace over it");
    return {};
}

// Undo our bind if CNI_NETNS still shows the target's namespace through it.
Expected<> unbind(const Record& rec, const std::string& netns) {
    if (netns.empty() || ns_id(netns) != rec.target_id) return {};
    if (::umount2(netns.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
        return netlib::fail_errno(Code::Kernel, "unmount the joined namespace from " + netns, errno);
    return {};
}

Expected<cni::Result> describe_target(const netlib::netns::Netns& target, const std::string& sandbox) {
    auto sock = NETLIB_TRY(netlib::netlink::Socket::open_in(target));
    return netlib::ifcfg::describe(sock, sandbox);
}

Expected<cni::Result> cmd_add(const cni::Request& req) {
    auto cfg = NETLIB_TRY(parse_config(req));
    NETLIB_TRYV(check_mount_point(req.netns));
    auto target = netlib::netns::Netns::open(cfg.target);
    if (!target)
        return fail(Code::InvalidConfig, "container to join not found: no network namespace at " + cfg.target + " (" +
                                             target.error().msg + ")");
    auto target_id = ns_id("/proc/self/fd/" + std::to_string(target->fd()));
    if (!target_id) return netlib::fail_errno(Code::Kernel, "stat " + cfg.target, errno);
    auto path = record_path(cfg, req);
    auto rec = NETLIB_TRY(read_record(path));
    if (ns_id(req.netns) == target_id) {
        if (rec && rec->target_id == *target_id) return describe_target(*target, req.netns);  // ADD again
        return fail(Code::InvalidConfig, "CNI_NETNS " + req.netns + " already is the network namespace of " +
                                             cfg.target + "; a container cannot join itself");
    }
    netlib::sys::UndoStack undo;
    std::string source = "/proc/self/fd/" + std::to_string(target->fd());
    if (::mount(source.c_str(), req.netns.c_str(), nullptr, MS_BIND, nullptr) != 0)
        return fail(Code::InvalidEnv, "cannot bind-mount " + cfg.target + " over CNI_NETNS " + req.netns + ": " +
                                                  std::strerror(errno));
    undo.push([&req] { (void)::umount2(req.netns.c_str(), MNT_DETACH); });
    NETLIB_TRYV(write_record(path, {.target = cfg.target,
                                    .netns = req.netns,
                                    .target_id = *target_id,
                                    .network = req.name,
                                    .container_id = req.container_id,
                                    .ifname = req.ifname}));
    undo.push([&path] { (void)::unlink(path.c_str()); });
    auto result = NETLIB_TRY(describe_target(*target, req.netns));
    undo.dismiss();
    return result;
}

Expected<> cmd_del(const cni::Request& req) {
    auto cfg = NETLIB_TRY(parse_config(req));
    auto path = record_path(cfg, req);
    auto rec = NETLIB_TRY(read_record(path));
    if (!rec) return {};  // never joined, or already undone
    NETLIB_TRYV(unbind(*rec, req.netns.empty() ? rec->netns : req.netns));
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return netlib::fail_errno(Code::Io, "remove " + path, errno);
    return {};
}

Expected<> cmd_check(const cni::Request& req) {
    auto cfg = NETLIB_TRY(parse_config(req));
    auto rec = NETLIB_TRY(read_record(record_path(cfg, req)));
    if (!rec) return fail(Code::CheckFailed, "container " + req.container_id + " has not joined " + cfg.target);
    if (ns_id(cfg.target) != rec->target_id)
        return fail(Code::CheckFailed, "the joined container's namespace " + cfg.target + " is gone or was replaced");
    if (ns_id(req.netns) != rec->target_id)
        return fail(Code::CheckFailed, "CNI_NETNS " + req.netns + " no longer refers to the namespace of " + cfg.target);
    return {};
}

// Bindings of this network whose attachment the runtime no longer knows.
Expected<> cmd_gc(const cni::Request& req) {
    auto cfg = NETLIB_TRY(parse_config(req));
    DIR* d = ::opendir(cfg.record_dir.c_str());
    if (!d) return {};
    std::vector<std::string> files;
    while (auto* e = ::readdir(d))
        if (e->d_name[0] != '.') files.push_back(cfg.record_dir + "/" + e->d_name);
    ::closedir(d);
    Expected<> first;
    for (const auto& f : files) {
        auto rec = read_record(f);
        if (!rec || !*rec || (*rec)->network != req.name) continue;
        const auto& r = **rec;
        bool valid = std::any_of(req.valid_attachments.begin(), req.valid_attachments.end(), [&](const auto& a) {
            return a.container_id == r.container_id && a.ifname == r.ifname;
        });
        if (valid) continue;
        auto u = unbind(r, r.netns);
        if (first && !u) first = std::move(u);
        (void)::unlink(f.c_str());
    }
    return first;
}

}  // namespace

cni::Plugin plugin() {
    return cni::Plugin{
        .about = "netrun container-join plugin: share another container's network namespace",
        .add = cmd_add,
        .del = cmd_del,
        .check = cmd_check,
        .status = {},
        .gc = cmd_gc,
        .known_args = {},
    };
}

}  // namespace container_join
