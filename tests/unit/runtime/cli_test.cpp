// `netrun net` end to end with fake plugins: the real binary, exit codes, stdout/stderr.
#include <gtest/gtest.h>

#include "netlib/cni/cache.hpp"
#include "netlib/sys/spawn.hpp"
#include "temp_dir.hpp"

extern char** environ;

using nlohmann::json;

namespace {

class Cli : public ::testing::Test {
protected:
    void SetUp() override {
        const char* bin = std::getenv("NETRUN_PLUGIN_DIR");
        ASSERT_NE(bin, nullptr) << "run through ctest (NETRUN_PLUGIN_DIR)";
        netrun_ = std::string(bin) + "/netrun";
        testutil::fake_plugin(plugins_.path(), "bridge");
        testutil::fake_plugin(plugins_.path(), "portmap");
        testutil::write(plugins_ / "bridge.result", R"({"cniVersion":"1.1.0","ips":[{"address":"10.89.0.2/16"}]})");
        testutil::write(plugins_ / "portmap.result", R"({"cniVersion":"1.1.0","ips":[{"address":"10.89.0.2/16"}]})");
        testutil::write(conf_ / "10-net.conflist",
                        R"({"cniVersion":"1.1.0","name":"net","plugins":[{"type":"bridge"},)"
                        R"({"type":"portmap","capabilities":{"portMappings":true}}]})");
    }

    netlib::sys::SpawnResult run(std::vector<std::string> args) {
        args.insert(args.begin(), netrun_);
        for (auto extra : {"--cni-path", plugins_.path().c_str(), "--cache-dir", cache_.path().c_str()})
            args.emplace_back(extra);
        std::vector<std::string> env;
        for (char** e = environ; *e; ++e) env.emplace_back(*e);
        auto r = netlib::sys::spawn_capture(args, env, "");
        EXPECT_TRUE(r) << r.error().msg;
        return r ? *r : netlib::sys::SpawnResult{};
    }
    std::vector<std::string> calls() { return testutil::lines(plugins_ / "calls"); }

    std::string netrun_;
    testutil::TempDir plugins_, cache_, conf_;
};

}  // namespace

TEST_F(Cli, AddPrintsResultAndDelReplaysCache) {
    auto add = run({"net", "add", conf_ / "10-net.conflist", "/run/netns/web", "-p", "8080:80"});
    ASSERT_EQ(add.exit_status, 0) << add.err;
    auto result = json::parse(add.out);
    EXPECT_EQ(result["ips"][0]["address"], "10.89.0.2/16");
    EXPECT_NE(add.out.find("\n  "), std::string::npos);  // pretty-printed
    EXPECT_TRUE(testutil::exists(cache_ / "results/net-web-eth0"));  // id from the netns name

    // By name, no netns: netns, capability args come from the cache.
    auto del = run({"net", "del", "net", "--id", "web", "--conf-dir", conf_.path()});
    ASSERT_EQ(del.exit_status, 0) << del.err;
    EXPECT_EQ(del.out, "");
    auto c = calls();
    ASSERT_EQ(c.size(), 4u);
    EXPECT_TRUE(c[2].starts_with("portmap DEL web /run/netns/web eth0")) << c[2];
    auto portmap_del = json::parse(testutil::lines(plugins_ / "portmap.DEL.jsonl").at(0));
    EXPECT_EQ(portmap_del["runtimeConfig"]["portMappings"][0]["hostPort"], 8080);
    EXPECT_FALSE(testutil::exists(cache_ / "results/net-web-eth0"));
}

TEST_F(Cli, FailedAddIsCleanedUpWithDel) {
    testutil::write(plugins_ / "portmap.ADD.fail", R"({"code":105,"msg":"port 8080\nis taken"})");
    auto add = run({"net", "add", conf_ / "10-net.conflist", "/run/netns/web"});
    EXPECT_EQ(add.exit_status, 1);
    EXPECT_EQ(add.out, "");
    EXPECT_EQ(std::ranges::count(add.err, '\n'), 1) << add.err;  // one line
    EXPECT_NE(add.err.find("port 8080 is taken"), std::string::npos) << add.err;
    EXPECT_NE(add.err.find("code 105"), std::string::npos) << add.err;
    auto c = calls();
    ASSERT_EQ(c.size(), 4u);
    EXPECT_TRUE(c[2].starts_with("portmap DEL web")) << c[2];
    EXPECT_TRUE(c[3].starts_with("bridge DEL web")) << c[3];
    EXPECT_FALSE(testutil::exists(cache_ / "results/net-web-eth0"));
}

TEST_F(Cli, CleanupAfterFailedAddGoesPastMissingPlugin) {
    testutil::write(conf_ / "20-gap.conflist",
                    R"({"cniVersion":"1.1.0","name":"gap","plugins":[{"type":"bridge"},{"type":"not-installed"}]})");
    auto add = run({"net", "add", conf_ / "20-gap.conflist", "/run/netns/web"});
    EXPECT_EQ(add.exit_status, 1);
    EXPECT_NE(add.err.find("failed to find plugin \"not-installed\""), std::string::npos) << add.err;
    auto c = calls();
    ASSERT_EQ(c.size(), 2u);
    EXPECT_TRUE(c[0].starts_with("bridge ADD web")) << c[0];
    EXPECT_TRUE(c[1].starts_with("bridge DEL web")) << c[1];  // the lease/link is released

    testutil::write(plugins_ / "calls", "");
    auto bad_if = run({"net", "add", conf_ / "10-net.conflist", "/run/netns/web", "--ifname", "a/b"});
    EXPECT_EQ(bad_if.exit_status, 1);
    EXPECT_EQ(std::ranges::count(bad_if.err, '\n'), 1) << bad_if.err;
    EXPECT_EQ(bad_if.err.find("cleanup"), std::string::npos) << bad_if.err;
    EXPECT_TRUE(calls().empty());
}

TEST_F(Cli, GcWithoutValidListKeepsCachedAttachments) {
    ASSERT_EQ(run({"net", "add", conf_ / "10-net.conflist", "/run/netns/a"}).exit_status, 0);
    ASSERT_EQ(run({"net", "add", conf_ / "10-net.conflist", "/run/netns/b"}).exit_status, 0);
    testutil::write(plugins_ / "calls", "");
    auto gc = run({"net", "gc", conf_ / "10-net.conflist"});
    ASSERT_EQ(gc.exit_status, 0) << gc.err;
    EXPECT_EQ(calls().size(), 2u);  // GC verb only, no DEL
    auto sent = json::parse(testutil::lines(plugins_ / "bridge.GC.jsonl").at(0));
    EXPECT_EQ(sent["cni.dev/valid-attachments"].size(), 2u);

    auto keep_a = run({"net", "gc", conf_ / "10-net.conflist", "--valid", "a:eth0"});
    ASSERT_EQ(keep_a.exit_status, 0) << keep_a.err;
    EXPECT_TRUE(testutil::exists(cache_ / "results/net-a-eth0"));
    EXPECT_FALSE(testutil::exists(cache_ / "results/net-b-eth0"));

    ASSERT_EQ(run({"net", "gc", conf_ / "10-net.conflist", "--all-invalid"}).exit_status, 0);
    EXPECT_FALSE(testutil::exists(cache_ / "results/net-a-eth0"));
}

TEST_F(Cli, ErrorsAndHelp) {
    auto missing = run({"net", "status", "nosuch", "--conf-dir", conf_.path()});
    EXPECT_EQ(missing.exit_status, 1);
    EXPECT_NE(missing.err.find("no network configuration named \"nosuch\""), std::string::npos) << missing.err;

    auto usage = run({"net", "add", "net"});
    EXPECT_EQ(usage.exit_status, 2);

    auto help = run({"net", "--help"});
    EXPECT_EQ(help.exit_status, 0);
    EXPECT_NE(help.out.find("netrun net add"), std::string::npos);

    auto status = run({"net", "status", "net", "--conf-dir", conf_.path()});
    EXPECT_EQ(status.exit_status, 0) << status.err;
    EXPECT_EQ(calls().size(), 2u);

    auto check = run({"net", "check", "net", "/run/netns/none", "--conf-dir", conf_.path()});
    EXPECT_EQ(check.exit_status, 1);
    EXPECT_NE(check.err.find("CHECK needs a successful ADD first"), std::string::npos) << check.err;
}
