#pragma once
#include "netlib/cni/skel.hpp"

namespace ipam {

// The static IPAM plugin: returns the configured addresses; nothing to release.
netlib::cni::Plugin static_plugin();

}  // namespace ipam
