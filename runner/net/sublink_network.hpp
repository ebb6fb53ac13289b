#pragma once
// --net=macvlan[:PARENT] and --net=ipvlan[:PARENT][,mode=M]: networks that exist only as a
// parent interface of the host. Their conflist is generated from what the parent carries
// (its subnet and the default gateway), so a container lands on the parent's LAN without a
// config file. Shared with `netrun network create -d macvlan|ipvlan`.
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "netlib/error.hpp"
#include "netlib/ip/addr.hpp"

namespace netrun::net {

struct SublinkNetworkSpec {
    std::string kind;    // "macvlan" | "ipvlan"
    std::string parent;  // empty: the interface of the IPv4 default route
    std::string mode;    // never empty after parsing: bridge (macvlan) / l2 (ipvlan) by default
};

// "macvlan", "macvlan:eth0", "ipvlan", "ipvlan:eth0", "ipvlan:eth0,mode=l3", "ipvlan,mode=l3".
// nullopt: `value` names no sublink network. Code 7 for a bad parent, mode or option.
netlib::Expected<std::optional<SublinkNetworkSpec>> parse_sublink_network(std::string_view value);

// The mode a kind uses when none is given (bridge / l2); code 7 for a mode the kind lacks.
std::string default_sublink_mode(std::string_view kind);
netlib::Expected<> validate_sublink_mode(std::string_view kind, std::string_view mode);

struct ParentInfo {
    std::string name;
    netlib::ip::Net address;  // the parent's first global IPv4, with its prefix
    std::optional<netlib::ip::Addr>
        gateway;  // the IPv4 default route's gateway, when via this parent
};

// The parent link as found, with or without an address (`netrun network create` takes the
// subnet from --subnet, so a parent without IPv4 address is fine there).
struct ParentLink {
    std::string name;
    std::optional<netlib::ip::Net> address;   // first global IPv4
    std::optional<netlib::ip::Addr> gateway;  // as in ParentInfo
};

// Reads the CURRENT netns through netlink. Empty name: the interface of the IPv4 default
// route. Code 7 when there is no default route or no such interface.
netlib::Expected<ParentLink> find_parent_link(std::string_view name);

// Reads the CURRENT netns through netlink. Empty name: the interface of the IPv4 default
// route. Code 7 naming what is missing (no default route, no such interface, no IPv4 address).
netlib::Expected<ParentInfo> discover_parent(std::string_view name);

// "netrun-macvlan-eth0", "netrun-ipvlan-eth0-l3" (the mode only when not the default).
std::string sublink_network_name(const SublinkNetworkSpec& s, std::string_view parent);

// host-local ranges covering `subnet`'s usable addresses minus `exclude` (each range gets
// `gateway` when given). Code 7 when nothing is left or the subnet is too small (/31, /32).
netlib::Expected<nlohmann::json> ranges_excluding(const netlib::ip::Net& subnet,
                                                  std::span<const netlib::ip::Addr> exclude,
                                                  std::optional<netlib::ip::Addr> gateway);

// The one-plugin conflist (cniVersion 1.1.0) for `s` on parent `p`: host-local on the parent's
// subnet minus the host's own address and the gateway, default route via the gateway (a
// device route for ipvlan l3/l3s), capabilities ips (+ mac for macvlan).
netlib::Expected<nlohmann::json> sublink_conflist(const SublinkNetworkSpec& s, const ParentInfo& p);

}  // namespace netrun::net
