// Crash injection: run bridge ADD under ptrace and SIGKILL it at the k-th system call, for
// k spread over a whole ADD (so the kill lands before, during and after the veth, IPAM and
// NAT steps). Then DEL — or, with the netns gone, GC — must leave no link, lease or rule.
#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <fstream>

#include "cni_call.hpp"
#include "netlib/sys/spawn.hpp"

using nlohmann::json;
using testcni::Call;
using testcni::sh;

namespace {


json conf() {
    return json::parse(R"({"cniVersion":"1.1.0","name":"crashnet","type":"bridge","bridge":"crbr0",
      "isGateway":true,"ipMasq":true,
      "ipam":{"type":"host-local","dataDir":"/run/ipam-crash","ranges":[[{"subnet":"10.55.0.0/24"}]]}})");
}

std::vector<std::string> env() {
    return {"CNI_COMMAND=ADD", "CNI_CONTAINERID=crash1", "CNI_NETNS=/run/netns/crash", "CNI_IFNAME=eth0",
            "CNI_PATH=" + testcni::plugin_dir(), "PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
}

// Starts bridge ADD with environment `e`; traced: it stops before exec for ptrace.
pid_t spawn_add(std::vector<std::string> e, bool traced) {
    std::string input = conf().dump();
    int in[2];
    if (::pipe(in) != 0) return -1;
    pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(in[0], 0);
        ::close(in[0]);
        ::close(in[1]);
        int devnull = ::open("/dev/null", O_WRONLY);
        ::dup2(devnull, 1);
        if (traced) {
            ::ptrace(PTRACE_TRACEME, 0, nullptr, nullptr);
            ::raise(SIGSTOP);
        }
        std::vector<char*> envp;
        for (auto& s : e) envp.push_back(s.data());
        envp.push_back(nullptr);
        std::string bin = testcni::plugin_path("bridge");
        char* argv[] = {bin.data(), nullptr};
        ::execve(bin.c_str(), argv, envp.data());
        ::_exit(127);
    }
    ::close(in[0]);
    (void)!::write(in[1], input.data(), input.size());  // fits in the pipe buffer
    ::close(in[1]);
    return pid;
}

// Runs ADD traced; kills it at syscall entry number `kill_at` (0 = never). Returns the number
// of syscall entries seen.
int run_traced_add(int kill_at) {
    pid_t pid = spawn_add(env(), true);
    if (pid < 0) return -1;
    int status = 0;
    ::waitpid(pid, &status, 0);
    ::ptrace(PTRACE_SETOPTIONS, pid, nullptr, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL);
    int entries = 0;
    bool entering = true;
    int sig = 0;
    for (;;) {
        ::ptrace(PTRACE_SYSCALL, pid, nullptr, sig);
        sig = 0;
        if (::waitpid(pid, &status, 0) < 0 || WIFEXITED(status) || WIFSIGNALED(status)) break;
        if (WSTOPSIG(status) == (SIGTRAP | 0x80)) {
            if (entering && ++entries == kill_at) {
                ::kill(pid, SIGKILL);
                ::waitpid(pid, &status, 0);
                break;
            }
            entering = !entering;
        } else if (WSTOPSIG(status) != SIGTRAP) {
            sig = WSTOPSIG(status);
        }
    }
    // host-local may have been orphaned mid-ADD; we are its subreaper: let it finish.
    while (::waitpid(-1, &status, 0) > 0) {
    }
    return entries;
}

// A deleted netns is torn down by the kernel asynchronously (cleanup_net), taking the veth
// pair with it; allow it a moment before calling a leftover link a leak.
bool veths_gone() {
    for (int i = 0; i < 100; ++i) {
        if (testcni::link_names("", "veth").empty()) return true;
        ::usleep(20000);
    }
    return false;
}

void expect_clean(const std::string& when) {
    EXPECT_TRUE(veths_gone()) << when;
    EXPECT_TRUE(testcni::leases("/run/ipam-crash/crashnet").empty()) << when;
    EXPECT_EQ(testcni::iptables_nat().find("crash1"), std::string::npos) << when;
}

}  // namespace

class Crash : public ::testing::Test {
protected:
    void SetUp() override { ::prctl(PR_SET_CHILD_SUBREAPER, 1); }
};

TEST_F(Crash, KillDuringAddThenDel) {
    sh("ip netns add crash");
    int total = run_traced_add(0);
    ASSERT_GT(total, 20);
    Call del{.plugin = "bridge", .command = "DEL", .container_id = "crash1", .netns = "/run/netns/crash"};
    ASSERT_TRUE(testcni::run(del, conf()).ok());
    expect_clean("after a full ADD + DEL");
    for (int i = 1; i <= 16; ++i) {
        int k = std::max(1, total * i / 17);
        run_traced_add(k);
        auto r = testcni::run(del, conf());
        EXPECT_TRUE(r.ok()) << "kill at syscall " << k << ": " << r.out;
        expect_clean("kill at syscall " + std::to_string(k) + " of " + std::to_string(total));
        EXPECT_TRUE(testcni::link_names("/run/netns/crash", "veth").empty());
    }
    sh("ip netns del crash");
}

TEST_F(Crash, KillDuringAddThenNetnsGoneThenGc) {
    int total = 0;
    {
        sh("ip netns add crash");
        total = run_traced_add(0);
        sh("ip netns del crash");
    }
    Call gc{.plugin = "bridge", .command = "GC", .container_id = "", .netns = "", .ifname = ""};
    gc.env_override = {{"CNI_CONTAINERID", std::nullopt}, {"CNI_NETNS", std::nullopt}, {"CNI_IFNAME", std::nullopt}};
    json gconf = conf();
    gconf["cni.dev/valid-attachments"] = json::array();
    ASSERT_TRUE(testcni::run(gc, gconf).ok());
    expect_clean("full ADD, netns deleted, GC");
    for (int i = 1; i <= 8; ++i) {
        int k = std::max(1, total * i / 9);
        sh("ip netns add crash");
        run_traced_add(k);
        sh("ip netns del crash");
        auto r = testcni::run(gc, gconf);
        EXPECT_TRUE(r.ok()) << r.out;
        expect_clean("kill at syscall " + std::to_string(k) + ", netns deleted, GC");
    }
}

// The kill lands while bridge waits for its masquerade iptables-restore (slowed down
// here), which goes on and writes the rules after bridge is gone. The runtime's DEL comes
// at once, without reaping anything first; it must wait for that restore (bridge passed
// it the container's lock) and then remove what it wrote.
TEST_F(Crash, KillWhileMasqueradeRestoreRunsThenDelRemovesIt) {
    sh("ip netns add crash");
    const std::string slow = "/run/crash-slow-restore";
    sh("mkdir -p " + slow);
    for (const char* tool : {"iptables-restore", "ip6tables-restore"}) {
        std::ofstream(slow + "/" + tool)
            << "#!/bin/sh\nsleep 0.5\nexec /usr/sbin/" << tool << " \"$@\"\n";
        sh("chmod +x " + slow + "/" + tool);
    }
    auto e = env();
    for (auto& v : e)
        if (v.starts_with("PATH=")) v = "PATH=" + slow + ":/usr/sbin:/usr/bin:/sbin:/bin";
    const pid_t add = spawn_add(e, false);
    ASSERT_GT(add, 0);
    ::usleep(250000);  // bridge is done with its own work and waits for the slow restore
    ::kill(add, SIGKILL);
    int st = 0;
    ::waitpid(add, &st, 0);
    Call del{.plugin = "bridge", .command = "DEL", .container_id = "crash1", .netns = "/run/netns/crash"};
    auto r = testcni::run(del, conf());
    EXPECT_TRUE(r.ok()) << r.out;
    ::usleep(600000);  // past the point where the orphaned restore would have written
    expect_clean("kill while the masquerade restore runs, then DEL");
    int status = 0;
    while (::waitpid(-1, &status, WNOHANG) > 0) {
    }
    sh("rm -rf " + slow);
    sh("ip netns del crash");
}
