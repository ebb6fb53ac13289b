#include "portmap.hpp"

int main() {
    return netlib::cni::plugin_main(portmap::plugin());
}
