#include "host_local.hpp"

#include "ipam/allocator.hpp"
#include "ipam/disk_store.hpp"
#include "ipam/host_local_config.hpp"
#include "ipam/resolv_conf.hpp"

namespace ipam {

using netlib::Code;
using netlib::Expected;
using netlib::fail;
namespace cni = netlib::cni;

namespace {

Attachment attachment(const cni::Request& req) {
    return {req.container_id, req.ifname};
}

Expected<cni::Result> add(const cni::Request& req) {
    auto cfg = NETLIB_TRY(load_host_local_config(req));
    cni::Result res;
    if (!cfg.resolv_conf.empty()) res.dns = NETLIB_TRY(load_resolv_conf(cfg.resolv_conf));
    auto store =
        NETLIB_TRY(DiskStore::open(cfg.store.data_dir, cfg.store.network, DiskStore::Mode::Create));
    res.ips = NETLIB_TRY(Allocator(*store, cfg.ranges).allocate(attachment(req), cfg.requested));
    res.routes = cfg.routes;
    return res;
}

// Needs only the store location, so a DEL still cleans up after the ranges were broken.
Expected<> del(const cni::Request& req) {
    auto sc = NETLIB_TRY(load_store_config(req));
    auto store = NETLIB_TRY(DiskStore::open(sc.data_dir, sc.network, DiskStore::Mode::Existing));
    if (!store) return {};
    NETLIB_TRYV(store->release_all(attachment(req)));
    return {};
}

Expected<> check(const cni::Request& req) {
    auto cfg = NETLIB_TRY(load_host_local_config(req));
    auto store = NETLIB_TRY(
        DiskStore::open(cfg.store.data_dir, cfg.store.network, DiskStore::Mode::Existing));
    if (!store || NETLIB_TRY(store->held(attachment(req))).empty())
        return fail(Code::CheckFailed, "host-local: no address of network \"" + req.name +
                                        "\" is leased to container " + req.container_id +
                                        " interface " + req.ifname + " (in " + cfg.store.data_dir +
                                        ")");
    return {};
}

Expected<> status(const cni::Request& req) {
    auto cfg = NETLIB_TRY(load_host_local_config(req));
    auto store = NETLIB_TRY(
        DiskStore::open(cfg.store.data_dir, cfg.store.network, DiskStore::Mode::Existing));
    if (!store) return {};
    auto full = NETLIB_TRY(Allocator(*store, cfg.ranges).exhausted());
    if (full.empty()) return {};
    std::string which;
    for (auto i : full)
        which += (which.empty() ? "" : ", ") +
                 ("range set " + std::to_string(i) + " (" + cfg.ranges[i].str() + ")");
    return fail(Code::NotAvailable, "host-local: network \"" + req.name +
                                        "\" cannot allocate: no free address in " + which);
}

Expected<> gc(const cni::Request& req) {
    auto sc = NETLIB_TRY(load_store_config(req));
    auto store = NETLIB_TRY(DiskStore::open(sc.data_dir, sc.network, DiskStore::Mode::Existing));
    if (!store) return {};
    return collect_garbage(*store, req.valid_attachments);
}

}  // namespace

cni::Plugin host_local_plugin() {
    return cni::Plugin{
        .about = "netrun host-local IPAM",
        .add = add,
        .del = del,
        .check = check,
        .status = status,
        .gc = gc,
        .known_args = {"IP"},
    };
}

}  // namespace ipam
