#pragma once
#include "netlib/cni/skel.hpp"

namespace bridge {

// The bridge plugin's handlers, for main.cpp and tests.
netlib::cni::Plugin plugin();

}  // namespace bridge
