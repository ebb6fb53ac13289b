// The root-test harness itself: the sandbox it builds and the process/netns helpers.
#include <linux/magic.h>
#include <sys/statfs.h>

#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include "fixture.hpp"
#include "netlib/netlink/addr.hpp"
#include "netrun_test/process.hpp"

namespace nltest {
namespace {

using netrun_test::ProcessOptions;
using netrun_test::run_process;

bool is_tmpfs(const char* path) {
    struct statfs s{};
    return ::statfs(path, &s) == 0 && s.f_type == TMPFS_MAGIC;
}

TEST(Harness, SandboxHasPrivateRunAndCniState) {
    EXPECT_TRUE(is_tmpfs("/run"));
    EXPECT_TRUE(is_tmpfs("/var/lib/cni"));
    auto s = NL_OK(nl::Socket::open());
    auto lo = NL_OK(nl::get_link(s, "lo"));
    ASSERT_TRUE(lo);
    EXPECT_TRUE(lo->up);
}

TEST(Process, ExactEnvironmentStdinAndBothOutputs) {
    ProcessOptions o;
    o.env = {{"A", "1"}, {"B", "two words"}};
    auto env = run_process({"/usr/bin/env"}, o);
    EXPECT_EQ(env.exit_status, 0);
    EXPECT_EQ(env.out, "A=1\nB=two words\n");  // nothing inherited

    o = {};
    o.input = std::string(1 << 20, 'x');  // larger than a pipe buffer: fed while draining
    auto cat = run_process({"cat"}, o);
    EXPECT_EQ(cat.exit_status, 0);
    EXPECT_EQ(cat.out.size(), std::size_t{1} << 20);

    auto sh = run_process({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"});
    EXPECT_EQ(sh.exit_status, 3);
    EXPECT_EQ(sh.out, "out\n");
    EXPECT_EQ(sh.err, "err\n");
    EXPECT_FALSE(sh.ok());
}

TEST(Process, InheritEnvOnRequest) {
    ::setenv("NETRUN_HARNESS_PROBE", "yes", 1);
    ProcessOptions o;
    o.inherit_env = true;
    o.env = {{"EXTRA", "1"}};
    auto r = run_process({"/usr/bin/env"}, o);
    EXPECT_NE(r.out.find("NETRUN_HARNESS_PROBE=yes\n"), std::string::npos);
    EXPECT_NE(r.out.find("EXTRA=1\n"), std::string::npos);
    ::unsetenv("NETRUN_HARNESS_PROBE");
}

TEST(Process, TimeoutKillsTheWholeGroup) {
    ProcessOptions o;
    o.timeout = std::chrono::milliseconds(200);
    auto start = std::chrono::steady_clock::now();
    // The grandchild holds stdout open: only killing the group ends the wait.
    auto r = run_process({"/bin/sh", "-c", "sleep 30 & sleep 30"}, o);
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_TRUE(r.timed_out);
    EXPECT_EQ(r.exit_status, 128 + SIGKILL);
    EXPECT_LT(took, std::chrono::seconds(5));
}

TEST(Process, ExecFailureIsReported) {
    auto r = run_process({"/nonexistent/prog"});
    EXPECT_EQ(r.exit_status, -1);
    EXPECT_NE(r.err.find("No such file or directory"), std::string::npos) << r.err;
    auto bad_ns = netrun_test::run_in_netns("/run/netns/missing", {"true"});
    EXPECT_EQ(bad_ns.exit_status, -1);
    EXPECT_NE(bad_ns.err.find("/run/netns/missing"), std::string::npos) << bad_ns.err;
}

TEST(Process, RunsInsideTheGivenNetns) {
    netrun_test::TestNetns t;
    auto s = NL_OK(nl::Socket::open());
    NL_OK(nl::create_bridge(s, {.name = "br-only-here", .mtu = {}, .mac = {}}));
    auto inside = netrun_test::run_in_netns(t.path(), {"cat", "/proc/net/dev"});
    ASSERT_TRUE(inside.ok()) << inside.err;
    EXPECT_NE(inside.out.find("lo:"), std::string::npos);
    EXPECT_EQ(inside.out.find("br-only-here"), std::string::npos) << inside.out;
    auto here = run_process({"cat", "/proc/net/dev"});
    EXPECT_NE(here.out.find("br-only-here"), std::string::npos);
}

TEST(Process, PingAcrossAVethIntoATestNetns) {
    netrun_test::TestNetns t;
    auto ctr = t.open();
    auto host = NL_OK(nl::Socket::open());
    auto in = NL_OK(nl::Socket::open_in(ctr));
    NL_OK(nl::create_veth(host, {.name = "vh-ping", .peer_name = "eth0", .peer_netns_fd = ctr.fd(), .mtu = {},
                                 .peer_mac = {}, .mac = {}}));
    auto h = must_link(host, "vh-ping");
    auto c = must_link(in, "eth0");
    NL_OK(nl::add_addr(host, h.index, *netlib::ip::Net::parse("10.99.0.1/24")));
    NL_OK(nl::add_addr(in, c.index, *netlib::ip::Net::parse("10.99.0.2/24")));
    NL_OK(nl::set_up(host, h.index));
    NL_OK(nl::set_up(in, c.index));
    // Carrier comes through the kernel's link watch, up to a second later.
    for (int i = 0; i < 300 && !must_link(host, "vh-ping").oper_up; ++i)
        ::usleep(10000);
    EXPECT_TRUE(netrun_test::ping(t.path(), "10.99.0.1"));
    EXPECT_TRUE(netrun_test::ping("", "10.99.0.2"));
    EXPECT_FALSE(netrun_test::ping(t.path(), "10.99.0.3"));
}

TEST(Process, PluginPathFollowsTheEnvironment) {
    const char* old = std::getenv("NETRUN_PLUGIN_DIR");
    std::string saved = old ? old : "";
    ::setenv("NETRUN_PLUGIN_DIR", "/opt/x/bin", 1);
    EXPECT_EQ(netrun_test::plugin_path("bridge"), "/opt/x/bin/bridge");
    if (old) ::setenv("NETRUN_PLUGIN_DIR", saved.c_str(), 1);
    else ::unsetenv("NETRUN_PLUGIN_DIR");
}

}  // namespace
}  // namespace nltest
