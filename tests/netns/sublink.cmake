# macvlan / ipvlan, driven like a runtime. ipvlan needs a kernel feature this host may lack
# (SKIP here, run in the VM tier: label vm).
netrun_add_gtest(sublink_macvlan_test SOURCES sublink/macvlan_test.cpp LIBS netrun_cni_call netrun_test_support
                 LABELS netns NETNS_MAIN TIMEOUT 300)
add_dependencies(sublink_macvlan_test macvlan host-local)
netrun_add_gtest(sublink_ipvlan_test SOURCES sublink/ipvlan_test.cpp LIBS netrun_cni_call netrun_test_support
                 LABELS "netns;vm" NETNS_MAIN TIMEOUT 300)
add_dependencies(sublink_ipvlan_test ipvlan host-local)
