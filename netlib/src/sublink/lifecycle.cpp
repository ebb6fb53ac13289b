// ADD/DEL/CHECK/STATUS/GC of a sublink plugin. The plugin supplies only how its link is made
// (Driver::make_link); ordering, rollback and IPAM delegation are the same for all of them.
#include <cerrno>
#include <optional>

#include "netlib/cni/exec.hpp"
#include "netlib/ifcfg/configure.hpp"
#include "netlib/sublink/sublink.hpp"
#include "netlib/sys/sysctl.hpp"
#include "netlib/sys/undo.hpp"

namespace netlib::sublink {

namespace nl = netlink;

Expected<> configure_container(nl::Socket& ctr, const netns::Netns& ns, const std::string& ifname,
                               const cni::Result& result, bool l2_only) {
    auto scope = NETLIB_TRY(netns::Scope::enter(ns));
    // Neighbours learn the new MAC at once (the address may have belonged to another host).
    (void)sys::sysctl_set("net/ipv4/conf/" + ifname + "/arp_notify", "1");
    (void)sys::sysctl_set("net/ipv6/conf/" + ifname + "/ndisc_notify", "1");
    if (l2_only) {
        auto link = NETLIB_TRY(nl::get_link(ctr, ifname));
        if (!link) return fail(Code::Kernel, "interface \"" + ifname + "\" vanished");
        return nl::set_up(ctr, link->index);
    }
    return ifcfg::configure(ctr, ifname, result, {.result_index = 0});
}

Expected<cni::Result> add(const cni::Request& req, const CommonConfig& cfg, const Driver& d,
                          std::optional<cni::Result> addresses) {
    auto ns = NETLIB_TRY(netns::open_container(req.netns));
    auto ctr = NETLIB_TRY(nl::Socket::open_in(ns));
    std::optional<nl::Socket> host_sock;
    if (!cfg.link_in_container) host_sock.emplace(NETLIB_TRY(nl::Socket::open()));
    nl::Socket& master_sock = cfg.link_in_container ? ctr : *host_sock;
    auto master = NETLIB_TRY(resolve_master(master_sock, cfg.master, cfg.link_in_container ? "container" : "host"));
    NETLIB_TRYV(check_mtu(master, cfg.mtu));

    sys::UndoStack undo;
    // IPAM runs (exec'd, or in-process for our own host-local) before any link exists, so an
    // exhausted pool or a bad range leaves nothing to undo but itself.
    cni::Result result;
    bool l2_only = true;
    if (!cfg.ipam_type.empty()) {
        auto ipam = NETLIB_TRY(cni::delegate_add(cfg.ipam_type, req));
        undo.push([&req, &cfg] { (void)cni::delegate(cni::Command::Del, cfg.ipam_type, req); });
        if (ipam.ips.empty())
            return fail(Code::InvalidConfig, "IPAM plugin " + cfg.ipam_type + " returned no IP addresses");
        result.ips = std::move(ipam.ips);
        result.routes = std::move(ipam.routes);
        result.dns = std::move(ipam.dns);
        l2_only = false;
    } else if (addresses) {  // chained without ipam: prevResult's addresses
        result.ips = std::move(addresses->ips);
        result.routes = std::move(addresses->routes);
        result.dns = std::move(addresses->dns);
        l2_only = result.ips.empty();
    }
    if (!cfg.dns.empty()) result.dns = cfg.dns;
    for (auto& ip : result.ips) ip.interface = 0;

    auto link = NETLIB_TRY(create_renamed(ctr, req.ifname, [&](const std::string& tmp) {
        return d.make_link(master_sock, master, ns, cfg.link_in_container, tmp);
    }));
    undo.push([&ctr, idx = link.index] { (void)nl::delete_link(ctr, idx); });
    result.interfaces = {{.name = req.ifname, .mac = link.mac, .sandbox = req.netns}};
    NETLIB_TRYV(configure_container(ctr, ns, req.ifname, result, l2_only));
    undo.dismiss();
    return result;
}

Expected<> del(const cni::Request& req, const CommonConfig& cfg) {
    Expected<> first;
    if (!cfg.ipam_type.empty()) first = cni::delegate(cni::Command::Del, cfg.ipam_type, req);
    auto r = delete_container_link(req.netns, req.ifname);
    if (first && !r) first = std::move(r);
    return first;
}

Expected<> verify_container(const cni::Request& req, const Expect& want) {
    const auto& prev = *req.prev_result;
    int idx = -1;
    for (std::size_t i = 0; i < prev.interfaces.size(); ++i)
        if (prev.interfaces[i].name == req.ifname && !prev.interfaces[i].sandbox.empty()) idx = static_cast<int>(i);
    if (idx < 0) return fail(Code::InvalidConfig, "prevResult has no interface \"" + req.ifname + "\" in a sandbox");
    auto ns = NETLIB_TRY(netns::open_container(req.netns));
    auto sock = NETLIB_TRY(nl::Socket::open_in(ns));
    auto link = NETLIB_TRY(nl::get_link(sock, req.ifname));
    if (!link) return fail(Code::CheckFailed, "interface \"" + req.ifname + "\" not found in " + req.netns);
    if (link->kind != want.kind)
        return fail(Code::CheckFailed, "interface \"" + req.ifname + "\" is a \"" + link->kind + "\", expected " + want.kind);
    if (link->sublink_mode != want.mode)
        return fail(Code::CheckFailed, "interface \"" + req.ifname + "\" has " + want.kind + " mode " +
                                           std::to_string(link->sublink_mode) + ", expected " + std::to_string(want.mode));
    if (want.master_index != 0 && link->link != want.master_index)
        return fail(Code::CheckFailed, "interface \"" + req.ifname + "\" is not on the configured master");
    const auto& mac = prev.interfaces[static_cast<std::size_t>(idx)].mac;
    if (!mac.empty() && link->mac != mac)
        return fail(Code::CheckFailed, "interface \"" + req.ifname + "\" has MAC " + link->mac + ", expected " + mac);
    auto scope = NETLIB_TRY(netns::Scope::enter(ns));
    return ifcfg::verify(sock, req.ifname, prev, idx);
}

Expected<> check(const cni::Request& req, const CommonConfig& cfg, const Driver& d) {
    if (!req.prev_result) return fail(Code::InvalidConfig, "CHECK needs a prevResult in the config");
    if (!cfg.ipam_type.empty()) NETLIB_TRYV(cni::delegate(cni::Command::Check, cfg.ipam_type, req));
    int master_index = 0;
    if (!cfg.link_in_container) {
        auto host = NETLIB_TRY(nl::Socket::open());
        auto master = resolve_master(host, cfg.master, "host");
        if (!master) return fail(Code::CheckFailed, master.error().msg);
        master_index = master->index;
    }
    return verify_container(req, {.kind = d.kind, .mode = d.mode, .master_index = master_index});
}

Expected<> status(const cni::Request& req, const CommonConfig& cfg) {
    if (cfg.ipam_type.empty()) return {};
    return cni::delegate(cni::Command::Status, cfg.ipam_type, req);
}

Expected<> gc(const cni::Request& req, const CommonConfig& cfg) {
    if (cfg.ipam_type.empty()) return {};
    return cni::delegate(cni::Command::Gc, cfg.ipam_type, req);
}

}  // namespace netlib::sublink
