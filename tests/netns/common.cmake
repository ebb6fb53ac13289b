# Shared by the root-test fragments: one call registers a netns-tier test binary whose
# main() enters private net+mount namespaces (tests/support/netns_main.cpp) and which links
# the test helpers (TestNetns, run_process, ping, plugin_path).
function(netrun_add_netns_test name)
  cmake_parse_arguments(N "" "TIMEOUT" "SOURCES;LIBS" ${ARGN})
  if(NOT N_TIMEOUT)
    set(N_TIMEOUT 120)
  endif()
  netrun_add_gtest(${name} SOURCES ${N_SOURCES} LIBS ${N_LIBS} netrun_test_support
    LABELS netns NETNS_MAIN TIMEOUT ${N_TIMEOUT})
endfunction()
