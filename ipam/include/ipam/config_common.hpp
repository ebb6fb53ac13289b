#pragma once
// Config pieces both IPAM plugins read: the "ipam" object, routes, dns, requested addresses.
// Errors are InvalidConfig (7) and name the key.
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "netlib/cni/skel.hpp"
#include "netlib/cni/types.hpp"
#include "netlib/error.hpp"

namespace ipam {

using netlib::Expected;

// req.config["ipam"], which must be an object.
Expected<const nlohmann::json*> ipam_section(const netlib::cni::Request& req);

// [{"dst": CIDR, "gw"?: IP, "mtu"?, "advmss"?, "priority"?, "table"?, "scope"?}]; dst is
// stored as its network (like Go's ParseCIDR). Absent or null -> empty.
Expected<std::vector<netlib::cni::Route>> parse_routes(const nlohmann::json& obj,
                                                       std::string_view key);

// {"nameservers": [..], "domain": "", "search": [..], "options": [..]}. Absent -> empty.
Expected<netlib::cni::Dns> parse_dns(const nlohmann::json& obj, std::string_view key);

// Strings of comma-separated items, trimmed, empties dropped ("a, b" -> {"a","b"}).
std::vector<std::string> split_list(std::string_view text);

}  // namespace ipam
