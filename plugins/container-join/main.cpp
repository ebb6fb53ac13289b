#include "join.hpp"

int main() { return netlib::cni::plugin_main(container_join::plugin()); }
