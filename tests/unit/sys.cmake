netrun_add_gtest(sys_files_test SOURCES sys/files_test.cpp LIBS netlib_core LABELS unit)
