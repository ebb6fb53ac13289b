#include "loopback.hpp"

int main() { return netlib::cni::plugin_main(loopback::plugin()); }
