#include "bridge.hpp"
#include "ipam/builtin_delegates.hpp"

int main() {
    ipam::register_builtin_delegates();
    return netlib::cni::plugin_main(bridge::plugin());
}
