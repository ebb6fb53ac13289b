// tuning: a chained plugin that adjusts CNI_IFNAME inside the container netns (net.* sysctls,
// mac, mtu, promisc, allmulti, txqueuelen), remembers the link attributes it replaced and
// puts them back on DEL. Sysctls are not restored: they die with the container netns.
#include "tuning.hpp"

#include <net/if.h>

#include "config.hpp"
#include "link_tuning.hpp"
#include "netlib/netlink/link.hpp"
#include "netlib/netns/netns.hpp"
#include "netlib/sys/sysctl.hpp"
#include "netlib/sys/undo.hpp"
#include "saved_link.hpp"

namespace tuning {

using netlib::Code;
using netlib::Expected;
using netlib::fail;
namespace cni = netlib::cni;
namespace nl = netlib::netlink;

namespace {

Expected<nl::LinkInfo> container_link(nl::Socket& sock, const cni::Request& req) {
    auto link = NETLIB_TRY(nl::get_link(sock, req.ifname));
    if (!link)
        return fail(Code::Kernel, "interface \"" + req.ifname + "\" not found in " + req.netns);
    return *link;
}

Expected<SavedLink> current_values(nl::Socket& sock, const nl::LinkInfo& l, const Config& c) {
    SavedLink s;
    if (!c.mac.empty()) s.mac = l.mac;
    if (c.mtu) s.mtu = static_cast<int>(l.mtu);
    if (c.promisc) s.promisc = (l.flags & IFF_PROMISC) != 0;
    if (c.allmulti) s.allmulti = (l.flags & IFF_ALLMULTI) != 0;
    if (c.txqlen) s.txqlen = NETLIB_TRY(get_txqlen(sock, l.index));
    return s;
}

// Applies every attribute `s` carries; used for ADD (the config) and DEL (the originals).
Expected<> apply(nl::Socket& sock, int index, const SavedLink& s) {
    if (!s.mac.empty()) NETLIB_TRYV(nl::set_mac(sock, index, s.mac));
    if (s.mtu) NETLIB_TRYV(nl::set_mtu(sock, index, *s.mtu));
    if (s.promisc) NETLIB_TRYV(nl::set_promisc(sock, index, *s.promisc));
    if (s.allmulti) NETLIB_TRYV(set_allmulti(sock, index, *s.allmulti));
    if (s.txqlen) NETLIB_TRYV(set_txqlen(sock, index, *s.txqlen));
    return {};
}

SavedLink wanted(const Config& c) {
    return {.mac = c.mac,
            .mtu = c.mtu,
            .promisc = c.promisc,
            .allmulti = c.allmulti,
            .txqlen = c.txqlen};
}

Expected<std::string> read_sysctl(const std::string& key) {
    auto v = netlib::sys::sysctl_get(key);
    if (!v)
        return fail(Code::InvalidConfig,
                    "sysctl \"" + key + "\" does not exist in the container netns");
    while (!v->empty() && (v->back() == '\n' || v->back() == ' ')) v->pop_back();
    return *v;
}

Expected<> set_sysctls(const netlib::netns::Netns& ns, const Config& c,
                       netlib::sys::UndoStack& undo) {
    if (c.sysctl.empty()) return {};
    auto scope = NETLIB_TRY(netlib::netns::Scope::enter(ns));
    for (const auto& [key, value] : c.sysctl) {
        auto old = NETLIB_TRY(read_sysctl(key));
        NETLIB_TRYV(netlib::sys::sysctl_set(key, value));
        undo.push([&ns, key, old] {
            if (auto s = netlib::netns::Scope::enter(ns)) (void)netlib::sys::sysctl_set(key, old);
        });
    }
    return {};
}

Expected<cni::Result> add(const cni::Request& req) {
    if (!req.prev_result)
        return fail(
            Code::InvalidConfig,
            "tuning must be chained after a plugin that creates the interface (no prevResult)");
    auto cfg = NETLIB_TRY(parse_config(req));
    auto ns = NETLIB_TRY(netlib::netns::open_container(req.netns));
    auto sock = NETLIB_TRY(nl::Socket::open_in(ns));
    auto link = NETLIB_TRY(container_link(sock, req));
    netlib::sys::UndoStack undo;
    if (cfg.changes_link()) {
        const auto path = saved_link_path(cfg.data_dir, req.container_id, req.ifname);
        // A repeated ADD must not record our own values as the "originals".
        auto recorded = NETLIB_TRY(read_saved_link(path));
        if (!recorded) {
            auto originals = NETLIB_TRY(current_values(sock, link, cfg));
            NETLIB_TRYV(write_saved_link(path, originals));
            undo.push([path] { (void)remove_saved_link(path); });
        }
        auto before = NETLIB_TRY(current_values(sock, link, cfg));
        undo.push([&sock, index = link.index, before] { (void)apply(sock, index, before); });
        NETLIB_TRYV(apply(sock, link.index, wanted(cfg)));
    }
    NETLIB_TRYV(set_sysctls(ns, cfg, undo));

    cni::Result r = *req.prev_result;
    if (!cfg.mac.empty())
        for (auto& i : r.interfaces)
            if (i.name == req.ifname && i.sandbox == req.netns) i.mac = cfg.mac;
    undo.dismiss();
    return r;
}

Expected<> del(const cni::Request& req) {
    auto cfg = NETLIB_TRY(parse_config(req));
    const auto path = saved_link_path(cfg.data_dir, req.container_id, req.ifname);
    auto saved = NETLIB_TRY(read_saved_link(path));
    if (!saved) return {};
    auto ns = netlib::netns::Netns::open(req.netns);
    if (!req.netns.empty() && ns) {
        auto sock = NETLIB_TRY(nl::Socket::open_in(*ns));
        // The interface may already be gone (the main plugin's DEL ran first): nothing to restore.
        if (auto link = NETLIB_TRY(nl::get_link(sock, req.ifname)))
            NETLIB_TRYV(apply(sock, link->index, *saved));
    }
    return remove_saved_link(path);
}

Expected<> mismatch(const std::string& what, const std::string& want, const std::string& have) {
    return fail(Code::CheckFailed, what + " is " + have + ", config wants " + want);
}

Expected<> check(const cni::Request& req) {
    if (!req.prev_result) return fail(Code::InvalidConfig, "tuning CHECK needs prevResult");
    auto cfg = NETLIB_TRY(parse_config(req));
    auto ns = NETLIB_TRY(netlib::netns::open_container(req.netns));
    auto sock = NETLIB_TRY(nl::Socket::open_in(ns));
    auto link = NETLIB_TRY(container_link(sock, req));
    auto have = NETLIB_TRY(current_values(sock, link, cfg));
    const std::string on = req.ifname + " ";
    if (have.mac != cfg.mac) return mismatch(on + "mac", cfg.mac, have.mac);
    if (have.mtu != cfg.mtu)
        return mismatch(on + "mtu", std::to_string(*cfg.mtu), std::to_string(*have.mtu));
    if (have.promisc != cfg.promisc)
        return mismatch(on + "promisc", *cfg.promisc ? "on" : "off", *have.promisc ? "on" : "off");
    if (have.allmulti != cfg.allmulti)
        return mismatch(on + "allmulti", *cfg.allmulti ? "on" : "off",
                        *have.allmulti ? "on" : "off");
    if (have.txqlen != cfg.txqlen)
        return mismatch(on + "txqueuelen", std::to_string(*cfg.txqlen),
                        std::to_string(*have.txqlen));
    if (cfg.sysctl.empty()) return {};
    auto scope = NETLIB_TRY(netlib::netns::Scope::enter(ns));
    for (const auto& [key, value] : cfg.sysctl)
        if (auto v = NETLIB_TRY(read_sysctl(key)); v != value)
            return mismatch("sysctl " + key, value, v);
    return {};
}

}  // namespace

cni::Plugin plugin() {
    return cni::Plugin{.about = "netrun tuning plugin",
                       .add = add,
                       .del = del,
                       .check = check,
                       .status = {},
                       .gc = {},
                       .known_args = {"MAC"}};
}

}  // namespace tuning
