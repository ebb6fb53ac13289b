#pragma once
// Bridge VLAN filtering: the bridge's filtering switch and the per-port VLAN table
// (what `bridge vlan` shows), over rtnetlink.
#include <cstdint>
#include <vector>

#include "netlib/error.hpp"
#include "netlib/netlink/socket.hpp"

namespace netlib::netlink {

// One port VLAN entry, or a range of consecutive ids sharing the flags (vid..vid_end).
struct PortVlan {
    std::uint16_t vid = 0;
    std::uint16_t vid_end = 0;  // 0: just `vid`
    bool pvid = false;          // untagged ingress is classified into this VLAN
    bool untagged = false;      // egress leaves without a tag
};

// IFLA_BR_VLAN_FILTERING on the bridge. Kernels without CONFIG_BRIDGE_VLAN_FILTERING answer
// EOPNOTSUPP (the error says so).
Expected<> set_bridge_vlan_filtering(Socket& s, int bridge_index, bool on);

// Add (or update the flags of) VLAN entries on a bridge port / remove them.
Expected<> add_port_vlan(Socket& s, int port_index, const PortVlan& v);
Expected<> del_port_vlan(Socket& s, int port_index, const PortVlan& v);

// The port's VLAN table, one entry per id (ranges expanded).
Expected<std::vector<PortVlan>> port_vlans(Socket& s, int port_index);

}  // namespace netlib::netlink
