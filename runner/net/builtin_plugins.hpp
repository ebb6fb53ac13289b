#pragma once
// The plugins of netrun's default network (bridge, portmap, host-local, static) run inside
// netrun when CNI_PATH resolves them to our own executables (netlib/cni/exec.hpp): the same
// code and the same stdin/stdout contract, without an exec per plugin and verb. Any other
// binary found first on CNI_PATH (or NETRUN_NO_BUILTIN_DELEGATES=1) is exec'd as usual.
namespace netrun::net {

void register_builtin_plugins();

}  // namespace netrun::net
