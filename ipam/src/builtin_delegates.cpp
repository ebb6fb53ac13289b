#include "ipam/builtin_delegates.hpp"

#include "host_local.hpp"
#include "netlib/cni/exec.hpp"
#include "static_ipam.hpp"

namespace ipam {

void register_builtin_delegates() {
    netlib::cni::register_builtin("host-local", host_local_plugin);
    netlib::cni::register_builtin("static", static_plugin);
}

}  // namespace ipam
