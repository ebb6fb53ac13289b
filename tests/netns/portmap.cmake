# portmap chained after bridge, driven like a runtime; the test process is "the host".
add_library(netrun_portmap_test STATIC portmap/sockets.cpp portmap/topology.cpp)
target_include_directories(netrun_portmap_test PUBLIC portmap plugins)
target_link_libraries(netrun_portmap_test PUBLIC netrun_cni_call netlib_core netrun_test_support GTest::gtest PRIVATE netrun_warnings)
foreach(t paths_test stress_test bridge_nft_masq_test)
  netrun_add_gtest(portmap_${t} SOURCES portmap/${t}.cpp LIBS netrun_portmap_test LABELS netns NETNS_MAIN TIMEOUT 300)
  add_dependencies(portmap_${t} portmap bridge host-local)
endforeach()
# SCTP needs CONFIG_IP_SCTP, which this host's kernel lacks: SKIP here, run in the VM tier.
netrun_add_gtest(portmap_sctp_test SOURCES portmap/sctp_test.cpp LIBS netrun_portmap_test
                 LABELS "netns;vm" NETNS_MAIN TIMEOUT 300)
add_dependencies(portmap_sctp_test portmap bridge host-local)
