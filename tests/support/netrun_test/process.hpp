#pragma once
// Run programs from tests: fork/exec without a shell, exact environment, stdin fed from a
// string, stdout/stderr captured, optionally inside a network namespace, with a timeout.
#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace netrun_test {

struct ProcessOptions {
    // The child's whole environment. PATH is not added unless given or inherit_env is set.
    std::map<std::string, std::string> env;
    bool inherit_env = false;  // start from this process's environment, then apply `env`
    std::string input;         // written to the child's stdin, then stdin is closed
    std::string netns;         // netns path to setns() into before exec; empty = ours
    std::chrono::milliseconds timeout{30000};
};

struct ProcessResult {
    int exit_status = -1;  // exit code, 128+signal if killed, -1 if it could not start
    bool timed_out = false;
    std::string out;
    std::string err;  // the child's stderr, or why it could not be started
    bool ok() const { return exit_status == 0 && !timed_out; }
};

// argv[0] without a '/' is looked up in /usr/sbin:/usr/bin:/sbin:/bin. The child runs in
// its own process group; on timeout the whole group is killed.
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& opt = {});

// Convenience: standard PATH, no input, inside `netns_path`.
ProcessResult run_in_netns(const std::string& netns_path, const std::vector<std::string>& argv);

// One ICMP echo (ping -c1 -W1) from inside `netns_path` ("" = ours); true if answered.
bool ping(const std::string& netns_path, const std::string& addr);

// A built plugin executable: $NETRUN_PLUGIN_DIR/<name> (set by ctest), or build/bin/<name>.
std::string plugin_path(const std::string& name);

}  // namespace netrun_test
