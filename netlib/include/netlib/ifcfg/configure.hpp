#pragma once
// Configure a container interface from a CNI Result — the part every interface-creating
// plugin (bridge, macvlan, ipvlan, ...) shares: sysctls, addresses, link up, routes.
// Must be called with the current thread inside the container netns (netns::Scope), with a
// netlink socket opened there.
#include <string>

#include "netlib/cni/types.hpp"
#include "netlib/error.hpp"
#include "netlib/netlink/socket.hpp"

namespace netlib::ifcfg {

struct Options {
    int result_index = 0;     // this interface's index in Result::interfaces
    bool enable_dad = false;  // false: addresses usable at once (no 1-2 s IPv6 DAD wait)
    bool leave_down = false;  // bridge disableContainerInterface
};

// ips whose `interface` is result_index (or unset) are added to `ifname`; routes whose
// gateway is unset use the gateway of the same family from those ips.
Expected<> configure(netlink::Socket& sock, const std::string& ifname, const cni::Result& r,
                     const Options& opt);

// Verify (CHECK) that the addresses and routes of `r` for this interface are present.
Expected<> verify(netlink::Socket& sock, const std::string& ifname, const cni::Result& r,
                  int result_index);

}  // namespace netlib::ifcfg
