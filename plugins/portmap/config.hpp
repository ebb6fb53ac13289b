#pragma once
// The portmap plugin's config: the runtime's portMappings plus the plugin keys, parsed and
// validated once per invocation.
#include <optional>
#include <string>
#include <vector>

#include "netlib/cni/skel.hpp"
#include "netlib/error.hpp"
#include "netlib/nat/portmap.hpp"

namespace portmap {

struct Config {
    std::string backend;                             // "", "iptables", "nftables"
    std::vector<netlib::nat::PortMapping> mappings;  // runtimeConfig.portMappings
    bool snat = true;
    bool masq_all = false;
    int mark_masq_bit = 13;
    std::string external_setmark_chain;
    std::vector<std::string> conditions_v4, conditions_v6;
};

netlib::Expected<Config> parse_config(const netlib::cni::Request& req);

// The backend request for this invocation: container addresses from prevResult and the
// mappings that can be published (a hostIP of a family the container lacks is skipped).
netlib::nat::PortmapRequest make_request(const Config& cfg, const netlib::cni::Request& req);

}  // namespace portmap
