# runner/sandbox: launch() directly with a busybox rootfs (root, private namespaces).
netrun_add_gtest(runner_sandbox_test SOURCES runner/sbx/sandbox_test.cpp LIBS netrun_sandbox
                 LABELS netns NETNS_MAIN TIMEOUT 300)
# cgroup v2 with controllers: SKIP on this hybrid host, run in the VM tier.
netrun_add_gtest(runner_sandbox_cgroup2_test SOURCES runner/sbx/sandbox_cgroup2_test.cpp
                 LIBS netrun_sandbox netrun_test_support LABELS "netns;vm" NETNS_MAIN TIMEOUT 300)
