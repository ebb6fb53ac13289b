#pragma once
// `netrun network create`: docker's options turned into a conflist, as pure functions of the
// request, the existing networks and what the parent interface carries (looked up through a
// callback, so the rules are testable without root).
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "net/network_catalog.hpp"
#include "net/sublink_network.hpp"
#include "netlib/error.hpp"
#include "netlib/ip/addr.hpp"

namespace netrun::net {

struct CreateRequest {
    std::string name;
    std::string driver = "bridge";  // bridge | macvlan | ipvlan
    std::optional<netlib::ip::Net> subnet;
    std::optional<netlib::ip::Addr> gateway;
    std::optional<netlib::ip::Net> ip_range;
    std::string parent;  // -o parent=IF
    std::string mode;    // -o mode=M (or macvlan_mode= / ipvlan_mode=); empty: the kind's default
    bool internal = false;
    bool help = false;
};

// Syntax only (options, their values, one NAME); errors are usage errors (exit 2).
netlib::Expected<CreateRequest> parse_create_args(std::span<const std::string_view> args);

// First 10.90.N.0/24 (N = 0..255) overlapping none of `used`.
std::optional<netlib::ip::Net> pick_free_subnet(std::span<const netlib::ip::Net> used);

// "nr-" + the first 10 characters of the network name (fits IFNAMSIZ).
std::string bridge_name_for(std::string_view network);

// Parent lookup (find_parent_link in production): empty name = the default route's interface.
using ParentLookup = std::function<netlib::Expected<ParentLink>(std::string_view name)>;

// The conflist to write, or why not: name taken/reserved/invalid, subnet overlapping another
// network's, bridge name taken, gateway/ip-range outside the subnet, missing parent (code 7).
netlib::Expected<nlohmann::json> plan_network(const CreateRequest& r, const Catalog& existing,
                                              const ParentLookup& lookup_parent);

}  // namespace netrun::net
