# firewall and tuning plugins, chained after bridge like podman's default network, and
# podman itself on that chain.
netrun_add_gtest(plugin_firewall_test SOURCES firewall/firewall_test.cpp LIBS netrun_cni_call LABELS netns NETNS_MAIN TIMEOUT 300)
add_dependencies(plugin_firewall_test firewall bridge host-local)
netrun_add_gtest(plugin_tuning_test SOURCES tuning/tuning_test.cpp LIBS netrun_cni_call LABELS netns NETNS_MAIN TIMEOUT 300)
add_dependencies(plugin_tuning_test tuning firewall bridge host-local)
# podman (CNI backend) running its default network's chain on our plugins only.
netrun_add_gtest(plugin_podman_default_network_test SOURCES podman/podman_default_network_test.cpp
                 LIBS netrun_cni_call LABELS netns NETNS_MAIN TIMEOUT 300)
add_dependencies(plugin_podman_default_network_test bridge host-local portmap firewall tuning)
