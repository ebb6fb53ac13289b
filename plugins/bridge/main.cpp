#include "bridge.hpp"

int main() { return netlib::cni::plugin_main(bridge::plugin()); }
