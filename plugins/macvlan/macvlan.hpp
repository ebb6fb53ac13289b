#pragma once
#include "netlib/cni/skel.hpp"

namespace macvlan {

netlib::cni::Plugin plugin();

}  // namespace macvlan
