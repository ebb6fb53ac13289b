#pragma once
// Side steps of a portmap ADD/DEL besides the NAT rules.
#include <span>

#include "netlib/cni/types.hpp"
#include "netlib/error.hpp"
#include "netlib/nat/portmap.hpp"

namespace portmap {

// 127.0.0.1 -> container needs route_localnet on the host interfaces towards the container
// (the prevResult's host-side interfaces); set only when a mapping is reachable that way.
netlib::Expected<> enable_route_localnet(const netlib::cni::Result& prev);

// Drops UDP conntrack entries to the mapped host ports, so a flow that started before the
// mapping (or towards a container now gone) does not keep going to the old destination.
netlib::Expected<> flush_udp_conntrack(std::span<const netlib::nat::PortMapping> mappings);

}  // namespace portmap
