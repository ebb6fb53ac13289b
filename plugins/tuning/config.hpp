#pragma once
// tuning's configuration: what to change on CNI_IFNAME inside the container netns.
#include <map>
#include <optional>
#include <string>

#include "netlib/cni/skel.hpp"
#include "netlib/error.hpp"

namespace tuning {

struct Config {
    std::map<std::string, std::string> sysctl;  // dotted keys, validated (net.* only)
    std::string mac;                            // empty: leave alone
    std::optional<int> mtu;
    std::optional<bool> promisc;
    std::optional<bool> allmulti;
    std::optional<std::uint32_t> txqlen;
    std::string data_dir = "/var/lib/cni/tuning";

    bool changes_link() const { return !mac.empty() || mtu || promisc || allmulti || txqlen; }
};

// Parses and validates the request's config; errors are InvalidConfig (7) naming the key.
netlib::Expected<Config> parse_config(const netlib::cni::Request& req);

// A sysctl key is acceptable when it is under net., has no empty, "." or ".." parts, and a
// per-interface key (net.ipv4.conf.<if>.x, net.ipv6.neigh.<if>.x, ...) names `ifname`
// (or all/default, which are the container netns' own). Returns the dotted key.
netlib::Expected<std::string> validate_sysctl_key(std::string key, const std::string& ifname);

}  // namespace tuning
