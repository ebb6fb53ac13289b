// portmap under concurrency and crashes, for each backend: 50 parallel ADDs with distinct
// host ports all succeed and are reachable, 50 parallel DELs leave nothing; a SIGKILL at
// any moment of an ADD followed by DEL (or GC) leaves no rule, element or port record.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <memory>
#include <thread>
#include <vector>

#include "sockets.hpp"
#include "topology.hpp"

using nlohmann::json;

namespace {

constexpr int kContainers = 50;

json mapping(int host, int ctr) {
    return {{"hostPort", host}, {"containerPort", ctr}, {"protocol", "tcp"}};
}

bool any_state(const std::string& id) {
    auto s = pmtest::nat_state();
    return s.find("id: \\\"" + id + "\\\"") != std::string::npos ||
           s.find("id=" + id + "\"") != std::string::npos;
}

// Counted in-process: a fixed file under /tmp (shared with any other test run on the host)
// made two concurrent runs read each other's counts.
int records(const std::string& sub) {
    std::error_code ec;
    int n = 0;
    for (auto it = std::filesystem::directory_iterator("/var/lib/cni/netrun-portmap/" + sub, ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
        ++n;
    return n;
}

class Stress : public ::testing::TestWithParam<std::string> {};

TEST_P(Stress, FiftyParallelAddsThenFiftyParallelDels) {
    pmtest::Topology topo(GetParam(), /*dual_stack=*/false);
    std::vector<std::unique_ptr<pmtest::Server>> servers;
    for (int i = 0; i < kContainers; ++i) {
        const auto& c = topo.attach("p" + std::to_string(i));
        servers.push_back(
            std::make_unique<pmtest::Server>(c.netns, AF_INET, pmtest::Proto::Tcp, 80, c.id));
    }
    std::atomic<int> failures{0};
    std::vector<std::string> errors(kContainers);
    auto run_all = [&](const std::string& cmd) {
        std::vector<std::thread> threads;
        for (int i = 0; i < kContainers; ++i)
            threads.emplace_back([&, i] {
                auto r = topo.portmap(cmd, "p" + std::to_string(i),
                                      json::array({mapping(20000 + i, 80)}));
                if (!r.ok()) {
                    ++failures;
                    errors[static_cast<size_t>(i)] = r.out + r.err;
                }
            });
        for (auto& t : threads) t.join();
    };
    run_all("ADD");
    EXPECT_EQ(failures.load(), 0) << errors[0] << errors[1];
    int unreachable = 0;
    for (int i = 0; i < kContainers; ++i)
        if (pmtest::tcp_ask(topo.outside(), pmtest::kHostV4, 20000 + i) != "p" + std::to_string(i))
            ++unreachable;
    EXPECT_EQ(unreachable, 0);
    run_all("DEL");
    EXPECT_EQ(failures.load(), 0);
    for (int i = 0; i < kContainers; ++i) EXPECT_FALSE(any_state("p" + std::to_string(i))) << i;
    EXPECT_EQ(records("owners"), 0);
    EXPECT_EQ(records("ports"), 0);
}

// Starts portmap ADD and SIGKILLs it after delay_us (it may have finished by then).
void add_and_kill(const pmtest::Topology& topo, const std::string& id, const json& maps,
                  int delay_us, const std::string& path_prefix = "") {
    // /run is this test process's own tmpfs (netns_main); /tmp is shared with other runs.
    const std::string conf = "/run/pm-crash.json";
    std::ofstream(conf) << topo.portmap_conf(id, maps).dump();
    const std::string env = "CNI_COMMAND=ADD CNI_CONTAINERID=" + id + " CNI_NETNS=/run/netns/pm-" +
                            id + " CNI_IFNAME=eth0 CNI_PATH=" + testcni::plugin_dir() +
                            " PATH=" + path_prefix + "/usr/sbin:/usr/bin:/sbin:/bin";
    pid_t pid = ::fork();
    if (pid == 0) {
        std::string cmd = "exec env -i " + env + " " + testcni::plugin_path("portmap") + " < " +
                          conf + " > /dev/null";
        ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::usleep(static_cast<useconds_t>(delay_us));
    ::kill(pid, SIGKILL);
    int st = 0;
    ::waitpid(pid, &st, 0);
}

TEST_P(Stress, SigkillDuringAddThenDelOrGcLeavesNothing) {
    pmtest::Topology topo(GetParam(), /*dual_stack=*/true);
    topo.attach("k1");
    const json maps = json::array({mapping(30001, 80), mapping(30002, 81)});
    for (int delay : {500, 1500, 3000, 5000, 8000, 12000, 20000, 40000}) {
        add_and_kill(topo, "k1", maps, delay);
        const bool gc = delay % 3000 == 0;
        if (gc) {
            json g = topo.portmap_conf("none", json());
            g["cniVersion"] = "1.1.0";
            g["cni.dev/valid-attachments"] = json::array();
            auto r = testcni::run(
                testcni::Call{
                    .plugin = "portmap", .command = "GC", .container_id = "", .netns = ""},
                g);
            ASSERT_TRUE(r.ok()) << r.out;
        } else {
            auto r = topo.portmap("DEL", "k1", json());
            ASSERT_TRUE(r.ok()) << "after kill at " << delay << "us: " << r.out;
        }
        EXPECT_FALSE(any_state("k1"))
            << "kill at " << delay << "us, then " << (gc ? "GC" : "DEL") << "\n"
            << pmtest::nat_state();
        EXPECT_EQ(records("owners"), 0) << delay;
        EXPECT_EQ(records("nft"), 0) << delay;
    }
    // And the port is free again for another container.
    topo.attach("k2");
    auto r = topo.portmap("ADD", "k2", maps);
    EXPECT_TRUE(r.ok()) << r.out;
}

// The kill lands while portmap waits for its iptables-restore (slowed down here), which
// goes on and writes its rules after portmap is gone. The DEL that follows must wait for
// it (it holds the port lock portmap passed on) and then remove them.
TEST(StressIptables, SigkillWhileIptablesRestoreRunsThenDelRemovesWhatItWrote) {
    pmtest::Topology topo("iptables", /*dual_stack=*/false);
    topo.attach("k0");
    topo.attach("k1");
    // The shared chains in place: k1's ADD is then the single restore of a new container.
    ASSERT_TRUE(topo.portmap("ADD", "k0", json::array({mapping(30000, 80)})).ok());
    const std::string slow = "/run/pm-slow-restore";
    testcni::sh("mkdir -p " + slow);
    for (const char* tool : {"iptables-restore", "ip6tables-restore"}) {
        std::ofstream(slow + "/" + tool)
            << "#!/bin/sh\nsleep 0.3\nexec /usr/sbin/" << tool << " \"$@\"\n";
        testcni::sh("chmod +x " + slow + "/" + tool);
    }
    const json maps = json::array({mapping(30001, 80)});
    add_and_kill(topo, "k1", maps, 100000, slow + ":");
    auto r = topo.portmap("DEL", "k1", json());
    ASSERT_TRUE(r.ok()) << r.out;
    ::usleep(500000);  // past the point where the orphaned restore would have written
    EXPECT_FALSE(any_state("k1")) << pmtest::nat_state();
    ASSERT_TRUE(topo.portmap("DEL", "k0", json()).ok());
    EXPECT_EQ(records("owners"), 0);
    testcni::sh("rm -rf " + slow);
}

INSTANTIATE_TEST_SUITE_P(Backends, Stress, ::testing::Values("iptables", "nftables"));

}  // namespace
