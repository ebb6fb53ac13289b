#pragma once
#include "netlib/cni/skel.hpp"

namespace loopback {
netlib::cni::Plugin plugin();
}
