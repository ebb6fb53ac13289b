#pragma once
#include "netlib/cni/skel.hpp"

namespace ipam {

// The host-local IPAM plugin: ADD/DEL/CHECK/STATUS/GC over the on-disk lease store.
netlib::cni::Plugin host_local_plugin();

}  // namespace ipam
