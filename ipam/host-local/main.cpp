#include "host_local.hpp"

int main() {
    return netlib::cni::plugin_main(ipam::host_local_plugin());
}
