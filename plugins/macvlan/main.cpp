#include "ipam/builtin_delegates.hpp"
#include "macvlan.hpp"

int main() {
    ipam::register_builtin_delegates();
    return netlib::cni::plugin_main(macvlan::plugin());
}
