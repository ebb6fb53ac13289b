#include "net/builtin_plugins.hpp"

#include "bridge.hpp"
#include "ipam/builtin_delegates.hpp"
#include "netlib/cni/exec.hpp"
#include "portmap.hpp"

namespace netrun::net {

void register_builtin_plugins() {
    ipam::register_builtin_delegates();
    netlib::cni::register_builtin("bridge", bridge::plugin);
    netlib::cni::register_builtin("portmap", portmap::plugin);
}

}  // namespace netrun::net
