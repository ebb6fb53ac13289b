# ipam: ranges, allocator (fake store), disk store, and the host-local/static executables
# exec'd the way a runtime does (including interop with the reference host-local).
netrun_add_gtest(ipam_range_test SOURCES ipam/range_test.cpp LIBS ipam LABELS unit)
netrun_add_gtest(ipam_allocator_test SOURCES ipam/allocator_test.cpp LIBS ipam LABELS unit)
netrun_add_gtest(ipam_config_test SOURCES ipam/config_test.cpp LIBS ipam LABELS unit)
netrun_add_gtest(ipam_disk_store_test SOURCES ipam/disk_store_test.cpp LIBS ipam LABELS unit)
netrun_add_gtest(ipam_host_local_exec_test SOURCES ipam/host_local_exec_test.cpp LIBS netlib_core LABELS unit)
netrun_add_gtest(ipam_static_exec_test SOURCES ipam/static_exec_test.cpp LIBS netlib_core LABELS unit)
netrun_add_gtest(ipam_interop_test SOURCES ipam/interop_test.cpp LIBS netlib_core Threads::Threads LABELS unit
                 TIMEOUT 300)
add_dependencies(ipam_host_local_exec_test host-local)
add_dependencies(ipam_static_exec_test static)
add_dependencies(ipam_interop_test host-local)
