# Plugins driven like a runtime. Needs the plugin executables built first.
add_library(netrun_cni_call STATIC plugins/cni_call.cpp)
target_link_libraries(netrun_cni_call PUBLIC netlib_core nlohmann_json::nlohmann_json GTest::gtest PRIVATE netrun_warnings)
foreach(t bridge_test bad_input_test crash_test interop_test loopback_test)
  netrun_add_gtest(plugin_${t} SOURCES plugins/${t}.cpp LIBS netrun_cni_call LABELS netns NETNS_MAIN TIMEOUT 300)
  add_dependencies(plugin_${t} bridge loopback host-local static)
endforeach()
netrun_add_gtest(plugin_bridge_vlan_test SOURCES plugins/bridge_vlan_test.cpp LIBS netrun_cni_call netrun_test_support LABELS "netns;vm" NETNS_MAIN TIMEOUT 300)
add_dependencies(plugin_bridge_vlan_test bridge host-local)
