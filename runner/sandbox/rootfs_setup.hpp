#pragma once
// The container's filesystem view, built inside its fresh mount namespace: rootfs bind,
// volumes, /proc, a minimal /dev, read-only /sys, tmpfs mounts, pivot_root, masked and
// read-only paths, read-only root. Runs in the child before the command is exec'd.
#include "spec.hpp"

namespace netrun::sandbox {

netlib::Expected<> setup_rootfs(const Spec& spec);

}  // namespace netrun::sandbox
