// Our host-local next to the reference one (/usr/lib/cni/host-local) on one dataDir, many
// of ours in parallel, and processes killed in the middle of an ADD.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>
#include <set>
#include <thread>

#include "plugin_runner.hpp"

extern char** environ;

using namespace ipam::testing;
using nlohmann::json;

namespace {

struct Interop : ::testing::Test {
    TempDir tmp;
    std::string data = tmp.path() + "/data";
    std::string dir = data + "/net1";
    std::string netns = tmp.path() + "/netns";
    // The reference v1.1.1 speaks up to 1.0.0.
    std::string conf =
        R"({"cniVersion":"1.0.0","name":"net1","type":"host-local","ipam":{"type":"host-local",
        "dataDir":")" +
        data + R"(","ranges":[[{"subnet":"10.1.0.0/24"}],[{"subnet":"2001:db8::/64"}]]}})";

    void SetUp() override {
        spit(netns, "");
        if (!exists(kRefHostLocal))
            GTEST_SKIP() << kRefHostLocal << " not installed (containernetworking-plugins)";
    }
    Outcome ours(const Call& c) { return run(our_host_local(), c, conf, netns); }
    Outcome ref(const Call& c) { return run(kRefHostLocal, c, conf, netns); }

    // Lease files only (names that are addresses).
    std::vector<std::string> leases() {
        std::vector<std::string> out;
        for (const auto& n : list_dir(dir))
            if (n.find_first_not_of("0123456789abcdef.:") == std::string::npos) out.push_back(n);
        return out;
    }
};

using V = std::vector<std::string>;

TEST_F(Interop, OurLeaseReleasedByReferenceDel) {
    ASSERT_EQ(ours({}).status, 0);
    EXPECT_EQ(leases(), (V{"10.1.0.2", "2001:db8::2"}));
    EXPECT_EQ(ref({.command = "CHECK"}).status, 0) << "reference CHECK finds our lease";
    auto d = ref({.command = "DEL"});
    ASSERT_EQ(d.status, 0) << d.out << d.err;
    EXPECT_TRUE(leases().empty());
    // Our stale index is harmless: the next DEL drops it, a new ADD works.
    EXPECT_EQ(ours({.command = "DEL"}).status, 0);
    EXPECT_EQ(list_dir(dir), (V{"last_reserved_ip.0", "last_reserved_ip.1", "lock"}));
    auto again = ours({});
    ASSERT_EQ(again.status, 0) << again.out;
    EXPECT_EQ(again.json()["ips"][0]["address"], "10.1.0.3/24");
}

TEST_F(Interop, ReferenceLeaseReleasedByOurDel) {
    ASSERT_EQ(ref({}).status, 0);
    EXPECT_EQ(leases(), (V{"10.1.0.2", "2001:db8::2"}));
    EXPECT_EQ(ours({.command = "CHECK"}).status, 0) << "our CHECK finds the reference's lease";
    ASSERT_EQ(ours({.command = "DEL"}).status, 0);
    EXPECT_TRUE(leases().empty());
    EXPECT_EQ(list_dir(dir), (V{"last_reserved_ip.0", "last_reserved_ip.1", "lock"}));
}

TEST_F(Interop, AlternatingAddsNeverDuplicateAndShareRoundRobin) {
    std::set<std::string> seen;
    for (int i = 0; i < 20; ++i) {
        Call c{.id = "c" + std::to_string(i)};
        auto r = i % 2 ? ref(c) : ours(c);
        ASSERT_EQ(r.status, 0) << (i % 2 ? "reference " : "ours ") << r.out << r.err;
        auto j = r.json();
        for (const auto& ipc : j["ips"])
            EXPECT_TRUE(seen.insert(ipc["address"].get<std::string>()).second);
        EXPECT_EQ(j["ips"][0]["address"], "10.1.0." + std::to_string(i + 2) + "/24")
            << "round robin continues";
    }
    EXPECT_EQ(leases().size(), 40u);
    // Each side releases the other's.
    for (int i = 0; i < 20; ++i) {
        Call c{.command = "DEL", .id = "c" + std::to_string(i)};
        ASSERT_EQ((i % 2 ? ours(c) : ref(c)).status, 0);
    }
    EXPECT_TRUE(leases().empty());
}

TEST_F(Interop, ParallelMixedAddsNeverDuplicate) {
    constexpr int kEach = 15;
    std::vector<Outcome> out(2 * kEach);
    std::vector<std::thread> threads;
    for (int i = 0; i < 2 * kEach; ++i)
        threads.emplace_back([&, i] {
            Call c{.id = "p" + std::to_string(i)};
            out[i] = run(i % 2 ? kRefHostLocal : our_host_local(), c, conf, netns);
        });
    for (auto& t : threads) t.join();
    std::set<std::string> seen;
    for (const auto& o : out) {
        ASSERT_EQ(o.status, 0) << o.out << o.err;
        auto j = o.json();
        for (const auto& ipc : j["ips"])
            EXPECT_TRUE(seen.insert(ipc["address"].get<std::string>()).second);
    }
    EXPECT_EQ(seen.size(), 4u * kEach);
    EXPECT_EQ(leases().size(), 4u * kEach);
}

TEST_F(Interop, FiftyParallelAddsThenFiftyParallelDels) {
    constexpr int kN = 50;
    auto in_parallel = [&](const std::string& command) {
        std::vector<Outcome> out(kN);
        std::vector<std::thread> threads;
        for (int i = 0; i < kN; ++i)
            threads.emplace_back(
                [&, i] { out[i] = ours({.command = command, .id = "ctr-" + std::to_string(i)}); });
        for (auto& t : threads) t.join();
        return out;
    };
    std::set<std::string> v4;
    for (const auto& o : in_parallel("ADD")) {
        ASSERT_EQ(o.status, 0) << o.out << o.err;
        EXPECT_TRUE(v4.insert(o.json()["ips"][0]["address"].get<std::string>()).second);
    }
    EXPECT_EQ(v4.size(), static_cast<std::size_t>(kN));
    EXPECT_EQ(leases().size(), 2u * kN);
    for (const auto& n : leases()) EXPECT_EQ(slurp(dir + "/" + n).rfind("ctr-", 0), 0u) << n;
    for (const auto& o : in_parallel("DEL")) ASSERT_EQ(o.status, 0) << o.out << o.err;
    EXPECT_EQ(list_dir(dir), (V{"last_reserved_ip.0", "last_reserved_ip.1", "lock"}));
}

// Start a plugin, feed stdin, SIGKILL it after `delay`; returns once it is reaped.
void run_and_kill(const std::string& binary, const std::vector<std::string>& env,
                  const std::string& input, std::chrono::microseconds delay) {
    int in[2];
    ASSERT_EQ(::pipe2(in, O_CLOEXEC), 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    std::vector<char*> argv{const_cast<char*>(binary.c_str()), nullptr};
    std::vector<char*> envp;
    for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    pid_t pid = -1;
    ASSERT_EQ(posix_spawn(&pid, binary.c_str(), &fa, nullptr, argv.data(), envp.data()), 0);
    posix_spawn_file_actions_destroy(&fa);
    ::close(in[0]);
    (void)::write(in[1], input.data(), input.size());
    ::close(in[1]);
    std::this_thread::sleep_for(delay);
    ::kill(pid, SIGKILL);
    int st = 0;
    ::waitpid(pid, &st, 0);
}

TEST_F(Interop, KilledAddsNeverBreakTheNextAddOrDel) {
    std::mt19937 rng(12345);
    std::uniform_int_distribution<int> delay_us(0, 3000);
    int interrupted_with_leases = 0;
    for (int i = 0; i < 40; ++i) {
        Call add{.id = "k" + std::to_string(i)};
        run_and_kill(our_host_local(), cni_env(add, netns), conf,
                     std::chrono::microseconds(delay_us(rng)));
        // Whatever state the kill left, every lease file is complete...
        if (!leases().empty()) ++interrupted_with_leases;
        for (const auto& n : leases()) {
            auto content = slurp(dir + "/" + n);
            EXPECT_EQ(content, "k" + std::to_string(i) + "\r\neth0") << n << " after kill " << i;
        }
        // ...and DEL of the killed attachment cleans up completely.
        auto d = ours({.command = "DEL", .id = add.id});
        ASSERT_EQ(d.status, 0) << d.out;
        EXPECT_TRUE(leases().empty()) << "after kill " << i;
    }
    RecordProperty("kills_leaving_leases", interrupted_with_leases);
    auto r = ours({.id = "final"});
    ASSERT_EQ(r.status, 0) << r.out;
    ASSERT_EQ(ours({.command = "DEL", .id = "final"}).status, 0);
    EXPECT_EQ(list_dir(dir), (V{"last_reserved_ip.0", "last_reserved_ip.1", "lock"}));
}

}  // namespace
