#pragma once
// The bridge plugin's network config, parsed and validated once per invocation.
#include <optional>
#include <string>

#include "netlib/cni/skel.hpp"
#include "netlib/cni/types.hpp"
#include "netlib/error.hpp"

namespace bridge {

struct Config {
    std::string bridge = "cni0";
    bool is_gateway = false;
    bool is_default_gateway = false;
    bool force_address = false;
    bool ip_masq = false;
    std::string ip_masq_backend;  // "", "iptables", "nftables"
    std::optional<int> mtu;
    bool hairpin_mode = false;
    bool promisc_mode = false;
    bool macspoofchk = false;
    bool enable_dad = false;
    bool port_isolation = false;
    bool disable_container_interface = false;
    std::string ipam_type;  // empty: L2 only, no addresses
    netlib::cni::Dns dns;   // config "dns" (overrides IPAM's)
    std::string mac;        // requested container MAC, lowercase, or empty
};

netlib::Expected<Config> parse_config(const netlib::cni::Request& req);

}  // namespace bridge
