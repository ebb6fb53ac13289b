# macvlan / ipvlan, driven like a runtime. ipvlan needs a kernel feature this host may lack
# (SKIP here, run in the VM tier: label vm).
foreach(t macvlan_test)
  netrun_add_gtest(sublink_${t} SOURCES sublink/${t}.cpp LIBS netrun_cni_call netrun_test_support
                   LABELS netns NETNS_MAIN TIMEOUT 300)
  add_dependencies(sublink_${t} macvlan host-local)
endforeach()
