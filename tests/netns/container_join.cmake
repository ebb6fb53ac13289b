# container-join: Docker's --net=container:NAME, driven like a runtime.
netrun_add_gtest(container_join_test SOURCES container_join/container_join_test.cpp
                 LIBS netrun_cni_call netlib_netns LABELS netns NETNS_MAIN TIMEOUT 120)
add_dependencies(container_join_test container-join)
