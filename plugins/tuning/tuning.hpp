#pragma once
#include "netlib/cni/skel.hpp"

namespace tuning {
netlib::cni::Plugin plugin();
}
