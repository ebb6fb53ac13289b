# netrun's own networks: generated macvlan/ipvlan conflists and `netrun network`.
netrun_add_gtest(runner_sublink_network_test SOURCES runner/net/sublink_network_test.cpp LIBS netrun_net LABELS unit)
netrun_add_gtest(runner_sublink_parent_test SOURCES runner/net/sublink_parent_test.cpp
                 LIBS netrun_net LABELS netns NETNS_MAIN TIMEOUT 60)
netrun_add_gtest(runner_network_create_test SOURCES runner/net/network_create_test.cpp LIBS netrun_net LABELS unit)
netrun_add_gtest(runner_network_command_test SOURCES runner/net/network_command_test.cpp
                 LIBS netrun_net netrun_test_support nlohmann_json::nlohmann_json LABELS netns NETNS_MAIN TIMEOUT 120)
add_dependencies(runner_network_command_test netrun bridge host-local portmap macvlan)
