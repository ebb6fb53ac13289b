#pragma once
#include "netlib/cni/skel.hpp"

namespace firewall {
netlib::cni::Plugin plugin();
}
