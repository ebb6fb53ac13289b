#pragma once
// The bridge plugin's network config, parsed and validated once per invocation.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

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
    // VLANs: an access port (vlan: pvid + untagged) or a trunk port (tagged ranges), never
    // both. Either turns VLAN filtering on for the bridge.
    std::uint16_t vlan = 0;                                        // 0: none
    std::vector<std::pair<std::uint16_t, std::uint16_t>> trunk;  // sorted, disjoint [min,max]
    bool preserve_default_vlan = true;  // keep VLAN 1 on the port (the reference's default)
    bool vlan_filtering() const { return vlan != 0 || !trunk.empty(); }
};

// The vlan, vlanTrunk and preserveDefaultVlan keys (config_vlan.cpp).
netlib::Expected<> parse_vlan_keys(const nlohmann::json& c, Config& cfg);

netlib::Expected<Config> parse_config(const netlib::cni::Request& req);

}  // namespace bridge
