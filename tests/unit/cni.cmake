netrun_add_gtest(cni_result_json_test SOURCES cni/result_json_test.cpp LIBS netlib_cni LABELS unit)
netrun_add_gtest(cni_skel_test SOURCES cni/skel_test.cpp LIBS netlib_cni LABELS unit)
netrun_add_gtest(cni_exec_test SOURCES cni/exec_test.cpp LIBS netlib_cni LABELS unit)
