// `netrun` end to end, as a user types it: run (foreground, -d, --rm), ps, logs, exec, stop,
// kill, rm, inspect, and bad input. Root; private namespaces; NETRUN_ROOT and NETRUN_STATE
// point at this test's own directories. Asserts on the kernel (cgroups, mounts, processes)
// and on the state directory, not only on exit codes.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

#include "../sbx/sandbox_fixture.hpp"
#include "netrun_test/process.hpp"

using namespace sbxtest;
using nlohmann::json;

namespace {

const auto* const kCgroups = ::testing::AddGlobalTestEnvironment(new HostCgroups);

const std::string kRoot = "/run/lc-root", kState = "/run/lc-state";

netrun_test::ProcessResult nr(std::vector<std::string> args, int timeout_ms = 30000) {
    args.insert(args.begin(), netrun_test::plugin_path("netrun"));
    netrun_test::ProcessOptions o;
    o.inherit_env = true;
    o.env = {{"NETRUN_ROOT", kRoot}, {"NETRUN_STATE", kState}};
    o.timeout = std::chrono::milliseconds(timeout_ms);
    return netrun_test::run_process(args, o);
}

json inspect(const std::string& name) {
    auto r = nr({"inspect", name});
    auto j = json::parse(r.out, nullptr, false);
    return j.is_array() && !j.empty() ? j[0] : json();
}

int entries(const std::string& dir) {
    auto r = netrun_test::run_process({"sh", "-c", "ls -A " + dir + " 2>/dev/null | wc -l"});
    return std::atoi(r.out.c_str());
}

int overlay_mounts() {
    std::ifstream in("/proc/self/mountinfo");
    std::string line;
    int n = 0;
    while (std::getline(in, line))
        if (line.find(kRoot + "/containers/") != std::string::npos) ++n;
    return n;
}


class Lifecycle : public ::testing::Test {
protected:
    void TearDown() override {
        auto ps = nr({"ps", "-a"});
        std::istringstream in(ps.out);
        std::string line;
        std::getline(in, line);
        while (std::getline(in, line))
            if (line.size() > 12) nr({"rm", "-f", line.substr(0, 12)});
    }
};

}  // namespace

TEST_F(Lifecycle, ForegroundRunPropagatesStatusAndRmLeavesNothing) {
    auto r = nr({"run", "--rm", "--hostname", "fg", "netrun/busybox", "sh", "-c", "echo hi from $(hostname); exit 3"});
    EXPECT_EQ(r.exit_status, 3) << r.err;
    EXPECT_EQ(r.out, "hi from fg\n");
    EXPECT_EQ(entries(kState + "/containers"), 0);
    EXPECT_EQ(overlay_mounts(), 0);
    EXPECT_EQ(nr({"run", "--rm", "netrun/busybox", "nosuchcmd"}).exit_status, 127);
    EXPECT_EQ(nr({"run", "--rm", "netrun/busybox", "/etc/passwd"}).exit_status, 126);
    EXPECT_EQ(nr({"run", "--rm", "nosuchimage"}).exit_status, 125);
    auto short_form = nr({"--rm", "--", "sh", "-c", "echo short"});
    EXPECT_EQ(short_form.exit_status, 0) << short_form.err;
    EXPECT_EQ(short_form.out, "short\n");
}

TEST_F(Lifecycle, DetachedPsLogsExecStopRm) {
    auto d = nr({"run", "-d", "--name", "web", "netrun/busybox", "sh", "-c",
                     "echo started; trap 'echo bye; exit 0' TERM; while true; do sleep 0.1; done"});
    ASSERT_EQ(d.exit_status, 0) << d.err;
    std::string id = d.out.substr(0, 64);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    auto ps = nr({"ps"});
    EXPECT_NE(ps.out.find(id.substr(0, 12)), std::string::npos) << ps.out;
    EXPECT_NE(ps.out.find("Up"), std::string::npos);
    auto st = inspect("web");
    EXPECT_EQ(st["status"], "running");
    EXPECT_GT(st["usage"]["memoryBytes"].get<long long>(), 0);
    EXPECT_GE(st["usage"]["pids"].get<int>(), 2);
    pid_t pid = st["pid"];
    EXPECT_EQ(::kill(pid, 0), 0);
    EXPECT_EQ(nr({"logs", "web"}).out, "started\n");
    auto ex = nr({"exec", "-e", "X=42", "web", "sh", "-c", "echo $X $(hostname)"});
    EXPECT_EQ(ex.exit_status, 0) << ex.err;
    EXPECT_EQ(ex.out, "42 " + id.substr(0, 12) + "\n");
    EXPECT_EQ(nr({"rm", "web"}).exit_status, 125);  // running
    ASSERT_EQ(nr({"stop", "web"}).exit_status, 0);
    st = inspect("web");
    EXPECT_EQ(st["status"], "exited");
    EXPECT_EQ(st["exitCode"], 0);
    EXPECT_NE(::kill(pid, 0), 0);
    EXPECT_EQ(nr({"logs", "web"}).out, "started\nbye\n");
    EXPECT_NE(nr({"ps", "-a"}).out.find("Exited (0)"), std::string::npos);
    ASSERT_EQ(nr({"rm", "web"}).exit_status, 0);
    EXPECT_EQ(entries(kState + "/containers"), 0);
    EXPECT_EQ(overlay_mounts(), 0);
    EXPECT_EQ(entries(kRoot + "/containers"), 0);
}

TEST_F(Lifecycle, StopEscalatesToSigkillAfterTheTimeout) {
    ASSERT_EQ(nr({"run", "-d", "--name", "stubborn", "--stop-timeout", "1", "netrun/busybox", "sh", "-c",
                      "trap '' TERM; while true; do sleep 0.1; done"}).exit_status, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    auto t0 = std::chrono::steady_clock::now();
    ASSERT_EQ(nr({"stop", "stubborn"}).exit_status, 0);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_GE(s, 0.9);
    EXPECT_LT(s, 5.0);
    auto st = inspect("stubborn");
    EXPECT_EQ(st["status"], "exited");
    EXPECT_EQ(st["exitCode"], 137);
}

TEST_F(Lifecycle, DetachedRmRemovesItselfAndKillSignals) {
    ASSERT_EQ(nr({"run", "-d", "--rm", "--name", "tmp1", "netrun/busybox", "sleep", "30"}).exit_status, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    ASSERT_EQ(nr({"kill", "-s", "KILL", "tmp1"}).exit_status, 0);
    for (int i = 0; i < 100 && entries(kState + "/containers") > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_EQ(entries(kState + "/containers"), 0);
    EXPECT_EQ(overlay_mounts(), 0);
}

TEST_F(Lifecycle, KilledMonitorLeavesAnExitedStateThatRmCleans) {
    ASSERT_EQ(nr({"run", "-d", "--name", "orphan", "netrun/busybox", "sleep", "30"}).exit_status, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    auto st = inspect("orphan");
    pid_t monitor = st["monitorPid"], pid = st["pid"];
    std::string cgroup = st["cgroup"];
    ASSERT_GT(monitor, 0);
    ::kill(monitor, SIGKILL);
    for (int i = 0; i < 100 && ::kill(pid, 0) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_NE(nr({"ps", "-a"}).out.find("Exited"), std::string::npos);
    EXPECT_EQ(inspect("orphan")["status"], "exited");
    ASSERT_EQ(nr({"rm", "orphan"}).exit_status, 0);
    EXPECT_EQ(entries(kState + "/containers"), 0);
    EXPECT_EQ(overlay_mounts(), 0);
    EXPECT_NE(::access(cgroup.substr(0, cgroup.find(':')).c_str(), F_OK), 0);
}

TEST_F(Lifecycle, MemoryLimitReportsOomKill) {
    auto r = nr({"run", "--name", "hog", "-m", "32m", "--memory-swap", "32m", "netrun/busybox", "sh", "-c",
                     "x=$(head -c 100000000 /dev/zero | tr '\\000' a); echo survived"});
    EXPECT_EQ(r.exit_status, 137) << r.out << r.err;
    EXPECT_EQ(inspect("hog")["oomKilled"], true);
    EXPECT_NE(nr({"ps", "-a"}).out.find("OOMKilled"), std::string::npos);
}

// Bad input: docker's exit code 125, a message, and nothing left behind.
struct BadCase {
    const char* name;
    std::vector<std::string> args;
};

class LifecycleBadInput : public Lifecycle, public ::testing::WithParamInterface<BadCase> {};

TEST_P(LifecycleBadInput, Exit125WithAMessageAndNoTrace) {
    if (std::string(GetParam().name) == "name_in_use") {
        ASSERT_EQ(nr({"run", "-d", "--name", "taken", "netrun/busybox", "sleep", "30"}).exit_status, 0);
    }
    int before = entries(kState + "/containers");
    int mounts = overlay_mounts();
    auto r = nr(GetParam().args);
    EXPECT_EQ(r.exit_status, 125) << GetParam().name << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("netrun"), std::string::npos) << GetParam().name << ": " << r.err;
    EXPECT_EQ(entries(kState + "/containers"), before) << GetParam().name;
    EXPECT_EQ(overlay_mounts(), mounts) << GetParam().name;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, LifecycleBadInput,
    ::testing::Values(
        BadCase{"unknown_image", {"run", "nosuchimage", "true"}},
        BadCase{"unsupported_entrypoint_option", {"run", "--entrypoint", "sh", "netrun/busybox"}},
        BadCase{"bad_memory", {"run", "-m", "lots", "netrun/busybox", "true"}},
        BadCase{"memory_too_small", {"run", "-m", "1k", "netrun/busybox", "true"}},
        BadCase{"bad_cpus", {"run", "--cpus", "-1", "netrun/busybox", "true"}},
        BadCase{"too_many_cpus", {"run", "--cpus", "999", "netrun/busybox", "true"}},
        BadCase{"bad_cpuset", {"run", "--cpuset-cpus", "a-b", "netrun/busybox", "true"}},
        BadCase{"volume_source_missing", {"run", "-v", "/no/such/dir:/data", "netrun/busybox", "true"}},
        BadCase{"volume_relative_source", {"run", "-v", "data:/data", "netrun/busybox", "true"}},
        BadCase{"name_in_use", {"run", "--name", "taken", "netrun/busybox", "true"}},
        BadCase{"invalid_name", {"run", "--name", "-bad name", "netrun/busybox", "true"}},
        BadCase{"invalid_user", {"run", "-u", "nosuchuser", "netrun/busybox", "true"}},
        BadCase{"bad_stop_signal", {"run", "--stop-signal", "SIGNOPE", "netrun/busybox", "true"}},
        BadCase{"unknown_option", {"run", "--frobnicate", "netrun/busybox", "true"}},
        BadCase{"unknown_capability", {"run", "--cap-add", "FLY", "netrun/busybox", "true"}},
        BadCase{"bad_env_file", {"run", "--env-file", "/no/such/file", "netrun/busybox", "true"}},
        BadCase{"publish_with_host_network", {"run", "--net", "host", "-p", "8080:80", "netrun/busybox", "true"}},
        BadCase{"bad_publish", {"run", "-p", "80", "netrun/busybox", "true"}},
        BadCase{"unknown_network", {"run", "--net", "nosuchnet", "netrun/busybox", "true"}},
        BadCase{"bad_userns", {"run", "--userns", "sometimes", "netrun/busybox", "true"}},
        BadCase{"exec_in_unknown_container", {"exec", "nosuch", "true"}},
        BadCase{"stop_unknown_container", {"stop", "nosuch"}},
        BadCase{"rm_unknown_container", {"rm", "nosuch"}}),
    [](const auto& p) { return std::string(p.param.name); });
