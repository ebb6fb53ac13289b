# netrun end to end: run/ps/logs/exec/stop/kill/rm/inspect (root, private namespaces).
netrun_add_gtest(runner_lifecycle_test SOURCES runner/lc/lifecycle_test.cpp
                 LIBS netrun_sandbox netrun_test_support nlohmann_json::nlohmann_json LABELS netns NETNS_MAIN TIMEOUT 300)
add_dependencies(runner_lifecycle_test netrun)
