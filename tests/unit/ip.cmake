netrun_add_gtest(ip_addr_test SOURCES ip/addr_test.cpp LIBS netlib_core LABELS unit)
