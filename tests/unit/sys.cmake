netrun_add_gtest(sys_files_test SOURCES sys/files_test.cpp LIBS netlib_core LABELS unit)
netrun_add_gtest(sys_spawn_test SOURCES sys/spawn_test.cpp LIBS netlib_core LABELS unit)
