# Netlink message bytes and MAC/name helpers: no root, no kernel state.
netrun_add_gtest(netlink_unit_test
  SOURCES netlink/message_test.cpp netlink/mac_test.cpp
  LIBS netlib_netlink LABELS unit TIMEOUT 30)
