#include "ipam/builtin_delegates.hpp"
#include "ipvlan.hpp"

int main() {
    ipam::register_builtin_delegates();
    return netlib::cni::plugin_main(ipvlan::plugin());
}
