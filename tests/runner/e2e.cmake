# netrun networking end to end (issue 6): the test process is the "host", with an uplink to
# an "outside" netns; `netrun` runs as typed by a user. One binary per area so ctest -j2
# runs them side by side (each has its own private namespaces and /run).
add_library(netrun_e2e_fixture STATIC runner/e2e/e2e_fixture.cpp)
target_link_libraries(netrun_e2e_fixture PUBLIC netrun_test_support netlib_core GTest::gtest nlohmann_json::nlohmann_json
                      PRIVATE netrun_warnings)
foreach(t bridge modes teardown)
  netrun_add_gtest(runner_network_${t}_test SOURCES runner/e2e/network_${t}_test.cpp
                   LIBS netrun_e2e_fixture netrun_sandbox LABELS netns NETNS_MAIN TIMEOUT 600)
  add_dependencies(runner_network_${t}_test netrun bridge host-local portmap loopback macvlan ipvlan)
endforeach()
# ipvlan: SKIP on this host, run in the VM tier.
netrun_add_gtest(runner_network_ipvlan_test SOURCES runner/e2e/network_ipvlan_test.cpp
                 LIBS netrun_e2e_fixture netrun_sandbox LABELS "netns;vm" NETNS_MAIN TIMEOUT 600)
add_dependencies(runner_network_ipvlan_test netrun ipvlan host-local)
# The README's main-job command on a fresh clone (builds it, from ccache, then serves the page).
add_test(NAME readme_main_job COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/runner/e2e/readme_main_job.sh ${PROJECT_SOURCE_DIR})
set_tests_properties(readme_main_job PROPERTIES LABELS "netns;e2e" TIMEOUT 1500 RUN_SERIAL TRUE)
