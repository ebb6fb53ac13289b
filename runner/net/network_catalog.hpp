#pragma once
// What `netrun network ls/inspect/rm` see: the networks of the config dirs (first dir wins per
// name, as `netrun net` resolves them) plus docker's built-in names — bridge (the project's
// network "netrun"), host and none.
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "netlib/cni/conflist.hpp"
#include "netlib/ip/addr.hpp"

namespace netrun::net {

// The conflist name that `--net bridge` (and `network ls`'s "bridge") stands for.
inline constexpr std::string_view kDefaultBridgeNetwork = "netrun";

struct NetworkEntry {
    std::string name;    // as the user types it (--net NAME)
    std::string driver;  // first plugin's type; "host" / "null" for the built-ins
    std::vector<netlib::ip::Net> subnets;
    std::string source;  // the conflist file; empty for host/none
    std::optional<netlib::cni::NetworkConfigList> config;
};

// host-local subnets (ipam.subnet and ipam.ranges[][].subnet) and static addresses of every plugin.
std::vector<netlib::ip::Net> conflist_subnets(std::span<const nlohmann::json> plugins);

// Names `network create` must not take: docker's built-in modes and netrun's generated ones.
bool is_reserved_network_name(std::string_view name);

struct Catalog {
    std::vector<NetworkEntry> networks;  // built-ins first, then by config dir order
    std::vector<std::string> skipped;    // unreadable files, "file: reason"
};

// The config network `kDefaultBridgeNetwork` is shown as "bridge" (not twice).
Catalog load_catalog(std::span<const std::string> conf_dirs);

const NetworkEntry* find_network(const Catalog& c, std::string_view name);

}  // namespace netrun::net
