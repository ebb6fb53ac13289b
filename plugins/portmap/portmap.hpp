#pragma once
#include "netlib/cni/skel.hpp"

namespace portmap {

// The portmap plugin's handlers, for main.cpp and tests.
netlib::cni::Plugin plugin();

}  // namespace portmap
