#pragma once
// What macvlan and ipvlan share: links stacked on a "master" device and placed in the
// container netns. The master is named or found from the default route; the new link is
// created straight into the container netns under a temporary name and renamed there, so
// a half-made link never carries CNI_IFNAME and a rename failure leaves nothing behind.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "netlib/cni/skel.hpp"
#include "netlib/cni/types.hpp"
#include "netlib/error.hpp"
#include "netlib/netlink/link.hpp"
#include "netlib/netlink/socket.hpp"
#include "netlib/netns/netns.hpp"

namespace netlib::sublink {

// The keys both plugins read the same way.
struct CommonConfig {
    std::string master;  // empty: the default route's interface
    std::optional<int> mtu;
    bool link_in_container = false;  // the master lives in the container netns
    std::string ipam_type;           // empty: L2 only (ipam absent or {})
    cni::Dns dns;
};

Expected<CommonConfig> parse_common(const cni::Request& req);

// `name` in the socket's netns; empty name: the interface of the IPv4 default route, else of
// the IPv6 one. `where` names the netns in messages ("host" / "container").
Expected<netlink::LinkInfo> resolve_master(netlink::Socket& s, const std::string& name, std::string_view where);

// A sublink cannot be larger than its master: code 7 naming both values.
Expected<> check_mtu(const netlink::LinkInfo& master, std::optional<int> mtu);

// `create(tmp)` makes the link named `tmp` in the container netns (ctr's netns); it is then
// renamed to `ifname`. On any failure the link is deleted again. An existing `ifname` in
// the container is a Conflict (104).
Expected<netlink::LinkInfo> create_renamed(netlink::Socket& ctr, const std::string& ifname,
                                           const std::function<Expected<>(const std::string& tmp)>& create);

// Inside the container: arp_notify/ndisc_notify, then addresses/up/routes from `result`
// (interface 0), or just link up for L2-only.
Expected<> configure_container(netlink::Socket& ctr, const netns::Netns& ns, const std::string& ifname,
                               const cni::Result& result, bool l2_only);

// DEL: remove `ifname` from the netns at `netns_path`; a missing netns or link is success.
Expected<> delete_container_link(const std::string& netns_path, const std::string& ifname);

// CHECK of the container side: `ifname` exists, is of `kind` with `mode`, on `master_index`,
// carries prevResult's MAC, addresses and routes.
struct Expect {
    std::string kind;
    std::uint32_t mode = 0;
    int master_index = 0;
};
Expected<> verify_container(const cni::Request& req, const Expect& want);

// ADD/DEL/CHECK/STATUS/GC skeleton around a plugin's own link creation, so both plugins only
// describe their link. `make_link(master_sock, master, ns, tmp)` creates it.
struct Driver {
    std::string kind;  // "macvlan" / "ipvlan"
    std::function<Expected<>(netlink::Socket& master_sock, const netlink::LinkInfo& master,
                             const netns::Netns& ns, bool master_in_container, const std::string& tmp)>
        make_link;
    std::uint32_t mode = 0;  // expected sublink_mode for CHECK
};
Expected<cni::Result> add(const cni::Request& req, const CommonConfig& cfg, const Driver& d,
                          std::optional<cni::Result> addresses = {});
Expected<> del(const cni::Request& req, const CommonConfig& cfg);
Expected<> check(const cni::Request& req, const CommonConfig& cfg, const Driver& d);
Expected<> status(const cni::Request& req, const CommonConfig& cfg);
Expected<> gc(const cni::Request& req, const CommonConfig& cfg);

}  // namespace netlib::sublink
