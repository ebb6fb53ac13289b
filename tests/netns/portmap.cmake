# portmap chained after bridge, driven like a runtime; the test process is "the host".
add_library(netrun_portmap_test STATIC portmap/sockets.cpp portmap/topology.cpp)
target_include_directories(netrun_portmap_test PUBLIC portmap plugins)
target_link_libraries(netrun_portmap_test PUBLIC netrun_cni_call netlib_core GTest::gtest PRIVATE netrun_warnings)
foreach(t paths_test stress_test bridge_nft_masq_test)
  netrun_add_gtest(portmap_${t} SOURCES portmap/${t}.cpp LIBS netrun_portmap_test LABELS netns NETNS_MAIN TIMEOUT 300)
  add_dependencies(portmap_${t} portmap bridge host-local)
endforeach()
