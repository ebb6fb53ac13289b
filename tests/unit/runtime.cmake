# CNI runtime side (conflists, libcni cache, plugin chains) and the `netrun net` CLI. No root:
# chains run fake shell-script plugins through the real exec path.
netrun_add_gtest(runtime_base64_test SOURCES runtime/base64_test.cpp LIBS netlib_cni_runtime LABELS unit)
netrun_add_gtest(runtime_conflist_test SOURCES runtime/conflist_test.cpp LIBS netlib_cni_runtime LABELS unit)
netrun_add_gtest(runtime_request_test SOURCES runtime/request_test.cpp LIBS netlib_cni_runtime LABELS unit)
netrun_add_gtest(runtime_cache_test SOURCES runtime/cache_test.cpp LIBS netlib_cni_runtime LABELS unit)
netrun_add_gtest(runtime_chain_test SOURCES runtime/chain_test.cpp LIBS netlib_cni_runtime LABELS unit)
netrun_add_gtest(runtime_net_options_test SOURCES runtime/net_options_test.cpp LIBS netrun_net LABELS unit)
netrun_add_gtest(runtime_cli_test SOURCES runtime/cli_test.cpp LIBS netlib_cni_runtime LABELS unit)
add_dependencies(runtime_cli_test netrun)
netrun_add_gtest(runtime_run_network_test SOURCES runtime/run_network_test.cpp LIBS netrun_net LABELS unit)
