// The built host-local executable, exec'd like a runtime does: stdout JSON, exit status and
// the files it leaves in a temp dataDir.
#include <gtest/gtest.h>

#include "plugin_runner.hpp"

using namespace ipam::testing;
using nlohmann::json;

namespace {

struct HostLocalExec : ::testing::Test {
    TempDir tmp;
    std::string data = tmp.path() + "/data";
    std::string dir = data + "/net1";
    std::string netns = tmp.path() + "/netns";
    void SetUp() override { spit(netns, ""); }

    std::string config(const std::string& ipam_extra, const std::string& version = "1.0.0",
                       const std::string& top_extra = "") {
        return R"({"cniVersion":")" + version + R"(","name":"net1","type":"host-local",)" +
               top_extra + R"("ipam":{"type":"host-local","dataDir":")" + data + "\"," +
               ipam_extra + "}}";
    }
    std::string v4v6() {
        return config(R"("ranges":[[{"subnet":"10.1.0.0/24"}],[{"subnet":"2001:db8::/64"}]],
                         "routes":[{"dst":"0.0.0.0/0"},{"dst":"::/0"}])");
    }
    Outcome hl(const Call& c, const std::string& conf) {
        return run(our_host_local(), c, conf, netns);
    }
};

TEST_F(HostLocalExec, AddPrintsIpamResultAndWritesLeases) {
    spit(tmp.path() + "/resolv.conf",
         "nameserver 10.1.0.53\nsearch example.com\noptions ndots:3\n");
    auto conf = config(R"("ranges":[[{"subnet":"10.1.0.0/24"}],[{"subnet":"2001:db8::/64"}]],
        "routes":[{"dst":"0.0.0.0/0"}],"resolvConf":")" +
                       tmp.path() + "/resolv.conf\"");
    auto r = hl({}, conf);
    ASSERT_EQ(r.status, 0) << r.out << r.err;
    json want = json::parse(R"({"cniVersion":"1.0.0",
        "ips":[{"address":"10.1.0.2/24","gateway":"10.1.0.1"},{"address":"2001:db8::2/64","gateway":"2001:db8::1"}],
        "routes":[{"dst":"0.0.0.0/0"}],
        "dns":{"nameservers":["10.1.0.53"],"search":["example.com"],"options":["ndots:3"]}})");
    EXPECT_EQ(r.json(), want);
    EXPECT_EQ(slurp(dir + "/10.1.0.2"), "c1\r\neth0");
    EXPECT_EQ(slurp(dir + "/2001:db8::2"), "c1\r\neth0");
    EXPECT_EQ(slurp(dir + "/last_reserved_ip.0"), "10.1.0.2");
    EXPECT_EQ(slurp(dir + "/last_reserved_ip.1"), "2001:db8::2");
    EXPECT_TRUE(exists(dir + "/lock"));
}

TEST_F(HostLocalExec, OldVersionsGetIpVersionField) {
    auto r = hl({}, config(R"("subnet":"10.1.0.0/24")", "0.4.0"));
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(r.json()["ips"][0]["version"], "4");
    EXPECT_EQ(r.json()["ips"][0]["address"], "10.1.0.2/24");
}

TEST_F(HostLocalExec, DelReleasesAndIsIdempotent) {
    ASSERT_EQ(hl({}, v4v6()).status, 0);
    ASSERT_EQ(hl({.id = "c2"}, v4v6()).status, 0);
    auto d = hl({.command = "DEL"}, v4v6());
    EXPECT_EQ(d.status, 0) << d.out;
    EXPECT_EQ(d.out, "");
    EXPECT_EQ(hl({.command = "DEL"}, v4v6()).status, 0);
    EXPECT_EQ(list_dir(dir),
              (std::vector<std::string>{"10.1.0.3", "2001:db8::3", "last_reserved_ip.0",
                                        "last_reserved_ip.1", "lock", "netrun-attach.c2:eth0"}));
}

TEST_F(HostLocalExec, DelWithoutDataDirSucceedsAndCreatesNothing) {
    EXPECT_EQ(hl({.command = "DEL"}, v4v6()).status, 0);
    EXPECT_FALSE(exists(data));
}

TEST_F(HostLocalExec, DelWorksWhenRangesAreBroken) {
    ASSERT_EQ(hl({}, config(R"("subnet":"10.1.0.0/24")")).status, 0);
    EXPECT_EQ(hl({.command = "DEL"}, config(R"("subnet":"10.1.0.0/31")")).status, 0);
    EXPECT_FALSE(exists(dir + "/10.1.0.2"));
}

TEST_F(HostLocalExec, CheckFindsLeaseOrNamesWhatIsMissing) {
    ASSERT_EQ(hl({}, v4v6()).status, 0);
    EXPECT_EQ(hl({.command = "CHECK"}, v4v6()).status, 0);
    auto bad = hl({.command = "CHECK", .id = "nobody"}, v4v6());
    EXPECT_NE(bad.status, 0);
    EXPECT_NE(bad.msg().find("container nobody interface eth0"), std::string::npos) << bad.out;
}

TEST_F(HostLocalExec, RequestedIpFromCniArgsWithIgnoreUnknown) {
    auto r =
        hl({.args = "IgnoreUnknown=1;K8S_POD_NAMESPACE=ns;K8S_POD_NAME=p;IP=10.1.0.50"}, v4v6());
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(r.json()["ips"][0]["address"], "10.1.0.50/24");
    EXPECT_EQ(r.json()["ips"][1]["address"], "2001:db8::2/64");
    auto unknown = hl({.id = "c2", .args = "K8S_POD_NAME=p"}, v4v6());
    EXPECT_EQ(unknown.code(), 2) << unknown.out;
}

TEST_F(HostLocalExec, RequestedIpsFromArgsAndRuntimeConfig) {
    auto conf = config(
        R"("ranges":[[{"subnet":"10.1.0.0/24"}],[{"subnet":"2001:db8::/64"}]])", "1.0.0",
        R"("args":{"cni":{"ips":["2001:db8::77"]}},"runtimeConfig":{"ips":["10.1.0.77/24"]},)");
    auto r = hl({}, conf);
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(r.json()["ips"][0]["address"], "10.1.0.77/24");
    EXPECT_EQ(r.json()["ips"][1]["address"], "2001:db8::77/64");
    auto taken = hl({.id = "c2"}, conf);
    EXPECT_EQ(taken.code(), 102) << taken.out;
    EXPECT_EQ(list_dir(dir).size(), 6u) << "failed ADD must not leave a lease";
}

TEST_F(HostLocalExec, InvalidConfigIsCode7WithActionableMessage) {
    auto r = hl({}, config(R"("ranges":[[{"subnet":"192.168.0.0/31"}]])"));
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.code(), 7);
    EXPECT_NE(r.msg().find("Network 192.168.0.0/31 too small to allocate from"), std::string::npos)
        << r.out;
    EXPECT_FALSE(exists(data)) << "nothing is created for an invalid config";
}

TEST_F(HostLocalExec, DuplicateAddIs102) {
    ASSERT_EQ(hl({}, v4v6()).status, 0);
    auto r = hl({}, v4v6());
    EXPECT_EQ(r.code(), 102) << r.out;
    EXPECT_NE(r.msg().find("duplicate allocation"), std::string::npos);
}

TEST_F(HostLocalExec, ExhaustionIs101AndStatusReports50) {
    auto conf = config(R"("ranges":[[{"subnet":"10.1.0.0/30"}]])", "1.1.0");
    EXPECT_EQ(hl({.command = "STATUS"}, conf).status, 0) << "no data dir yet: available";
    ASSERT_EQ(hl({}, conf).status, 0);
    auto r = hl({.id = "c2"}, conf);
    EXPECT_EQ(r.code(), 101) << r.out;
    EXPECT_NE(r.msg().find("10.1.0.1-10.1.0.2"), std::string::npos) << r.out;
    auto s = hl({.command = "STATUS"}, conf);
    EXPECT_EQ(s.status, 1);
    EXPECT_EQ(s.code(), 50) << s.out;
    EXPECT_NE(s.msg().find("range set 0 (10.1.0.1-10.1.0.2)"), std::string::npos) << s.out;
    ASSERT_EQ(hl({.command = "DEL"}, conf).status, 0);
    EXPECT_EQ(hl({.command = "STATUS"}, conf).status, 0);
}

TEST_F(HostLocalExec, GcReleasesAttachmentsNotListed) {
    auto conf = config(R"("ranges":[[{"subnet":"10.1.0.0/24"}]])", "1.1.0");
    ASSERT_EQ(hl({.id = "keep"}, conf).status, 0);
    ASSERT_EQ(hl({.id = "gone"}, conf).status, 0);
    ASSERT_EQ(hl({.id = "keep", .ifname = "net1"}, conf).status, 0);
    auto gc_conf = json::parse(conf);
    gc_conf["cni.dev/valid-attachments"] =
        json::parse(R"([{"containerID":"keep","ifname":"eth0"}])");
    auto g = hl({.command = "GC"}, gc_conf.dump());
    EXPECT_EQ(g.status, 0) << g.out;
    EXPECT_EQ(list_dir(dir), (std::vector<std::string>{"10.1.0.2", "last_reserved_ip.0", "lock",
                                                       "netrun-attach.keep:eth0"}));
}

// The O(1) claims, checked on the real executable: with 1000 leases of other containers in
// the directory, ADD, CHECK and DEL of our own attachment open a handful of files there; only
// a DEL of an attachment we hold no index for reads every lease (the reference's scan).
TEST_F(HostLocalExec, CostDoesNotGrowWithLeases) {
    if (!exists("/usr/bin/strace")) GTEST_SKIP() << "strace not installed";
    auto conf = config(R"("ranges":[[{"subnet":"10.1.0.0/16"}]])");
    ASSERT_EQ(hl({.id = "first"}, conf).status, 0);
    for (int i = 0; i < 1000; ++i)
        spit(dir + "/10.1." + std::to_string(10 + i / 250) + "." + std::to_string(i % 250),
             "other" + std::to_string(i) + "\r\neth0");
    auto opens_in_dir = [&](const Call& c) {
        std::string trace = tmp.path() + "/trace";
        auto env = cni_env(c, netns);
        env.push_back("ASAN_OPTIONS=detect_leaks=0");  // LeakSanitizer cannot run under ptrace
        auto r = netlib::sys::spawn_capture({"/usr/bin/strace", "-f", "-qq", "-e",
                                             "trace=openat,open", "-o", trace, our_host_local()},
                                            env, conf);
        EXPECT_TRUE(r && r->exit_status == 0) << (r ? r->out + r->err : r.error().msg);
        // Count opens in the data directory: absolute paths under it, or names relative to
        // the directory fd (the plugin opens nothing else relative).
        std::istringstream lines(slurp(trace));
        int n = 0;
        for (std::string l; std::getline(lines, l);) {
            auto q = l.find('"');
            if (l.find("open") == std::string::npos || q == std::string::npos) continue;
            n += l[q + 1] != '/' || l.compare(q + 1, dir.size(), dir) == 0;
        }
        return n;
    };
    EXPECT_LE(opens_in_dir({.id = "c1"}), 12);
    EXPECT_LE(opens_in_dir({.command = "CHECK", .id = "c1"}), 12);
    EXPECT_LE(opens_in_dir({.command = "DEL", .id = "c1"}), 12);
    EXPECT_GE(opens_in_dir({.command = "DEL", .id = "c1"}), 1000)
        << "no index left: DEL scans like the reference";
}

TEST_F(HostLocalExec, VersionListsSupportedVersions) {
    auto r = hl({.command = "VERSION"}, R"({"cniVersion":"1.1.0"})");
    ASSERT_EQ(r.status, 0);
    auto v = r.json()["supportedVersions"];
    EXPECT_NE(std::find(v.begin(), v.end(), "1.1.0"), v.end());
}

// stdin is read with read(2), not std::cin: a closed or empty stdin still answers VERSION.
TEST(HostLocalStdin, VersionWithClosedOrEmptyStdin) {
    for (const char* redirect : {"<&-", "</dev/null"}) {
        auto r = netlib::sys::spawn_capture(
            {"/bin/sh", "-c", std::string("exec \"$0\" ") + redirect, our_host_local()},
            {"CNI_COMMAND=VERSION", "PATH=/usr/bin:/bin"}, "");
        ASSERT_TRUE(r) << r.error().msg;
        EXPECT_EQ(r->exit_status, 0) << redirect << ": " << r->out << r->err;
        auto j = json::parse(r->out, nullptr, false);
        ASSERT_TRUE(j.is_object()) << r->out;
        EXPECT_TRUE(j["supportedVersions"].is_array()) << r->out;
    }
}

}  // namespace
