# netlib netns + netlink against the real kernel, inside the harness's private namespaces.
netrun_add_netns_test(netlink_netns_test
  SOURCES netlink/netns_test.cpp netlink/harness_test.cpp netlink/link_test.cpp netlink/addr_route_test.cpp
  LIBS netlib_netlink netlib_netns TIMEOUT 120)
