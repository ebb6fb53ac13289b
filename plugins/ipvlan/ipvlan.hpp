#pragma once
#include "netlib/cni/skel.hpp"

namespace ipvlan {

netlib::cni::Plugin plugin();

}  // namespace ipvlan
