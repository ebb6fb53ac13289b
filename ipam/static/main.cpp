#include "static_ipam.hpp"

int main() {
    return netlib::cni::plugin_main(ipam::static_plugin());
}
