#include "firewall.hpp"

int main() {
    return netlib::cni::plugin_main(firewall::plugin());
}
