#pragma once
// The reverse of configure(): what a network namespace already has, as a CNI Result —
// its interfaces (but lo), their global addresses and the default routes. Used when a plugin
// reports an existing namespace instead of building one (container-join).
#include <string>

#include "netlib/cni/types.hpp"
#include "netlib/error.hpp"
#include "netlib/netlink/socket.hpp"

namespace netlib::ifcfg {

// `sock` is opened in the namespace; `sandbox` is written into each interface.
Expected<cni::Result> describe(netlink::Socket& sock, const std::string& sandbox);

}  // namespace netlib::ifcfg
