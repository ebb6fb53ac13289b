#pragma once
// For main plugins (bridge, macvlan, ipvlan, ...): make host-local and static run in-process
// when the runtime's CNI_PATH resolves them to the executables installed beside the caller.
// Call once at the top of main(), before plugin_main().
namespace ipam {

void register_builtin_delegates();

}  // namespace ipam
