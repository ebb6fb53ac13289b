// Plugin chains through the real exec path, with fake plugins that log their input.
#include <gtest/gtest.h>
#include <stdlib.h>

#include "netlib/cni/conflist.hpp"
#include "netlib/cni/runtime.hpp"
#include "temp_dir.hpp"

using namespace netlib;
using nlohmann::json;

namespace {

constexpr const char* kBridgeResult =
    R"({"cniVersion":"1.1.0","interfaces":[{"name":"br0"},{"name":"eth0","sandbox":"/run/netns/x"}],)"
    R"("ips":[{"address":"10.89.0.2/16","gateway":"10.89.0.1","interface":1}]})";
constexpr const char* kPortmapResult =
    R"({"cniVersion":"1.1.0","interfaces":[{"name":"br0"},{"name":"eth0","sandbox":"/run/netns/x"}],)"
    R"("ips":[{"address":"10.89.0.2/16","gateway":"10.89.0.1","interface":1}],"routes":[{"dst":"0.0.0.0/0"}]})";

class Chain : public ::testing::Test {
protected:
    void SetUp() override {
        testutil::fake_plugin(plugins_.path(), "bridge");
        testutil::fake_plugin(plugins_.path(), "portmap");
        testutil::write(plugins_ / "bridge.result", kBridgeResult);
        testutil::write(plugins_ / "portmap.result", kPortmapResult);
    }

    cni::NetworkConfigList list(std::string version = "1.1.0", std::string extra = "") {
        auto l = cni::parse_conflist(R"({"cniVersion":")" + version + R"(","name":"net",)" + extra +
                                     R"("plugins":[{"type":"bridge","bridge":"br0"},)"
                                     R"({"type":"portmap","capabilities":{"portMappings":true}}]})");
        EXPECT_TRUE(l) << l.error().msg;
        return *l;
    }
    cni::RuntimeConf rt(std::string id = "c1") {
        return cni::RuntimeConf{
            .container_id = std::move(id),
            .netns = "/run/netns/x",
            .ifname = "eth0",
            .args = {{"IgnoreUnknown", "1"}, {"K", "v"}},
            .capability_args = json::parse(R"({"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}],"mac":"0a:00:00:00:00:01"})"),
        };
    }
    cni::Runtime runtime() { return cni::Runtime({"/nonexistent", plugins_.path()}, cache_.path()); }
    std::vector<std::string> calls() { return testutil::lines(plugins_ / "calls"); }
    std::vector<json> stdin_of(const std::string& plugin, const std::string& cmd) {
        std::vector<json> out;
        for (const auto& l : testutil::lines(plugins_ / (plugin + "." + cmd + ".jsonl"))) out.push_back(json::parse(l));
        return out;
    }
    std::string cache_file(std::string id = "c1") { return cache_ / ("results/net-" + id + "-eth0"); }

    testutil::TempDir plugins_, cache_;
};

}  // namespace

TEST_F(Chain, AddRunsInOrderChainsPrevResultAndCaches) {
    auto l = list();
    auto r = runtime().add_network_list(l, rt());
    ASSERT_TRUE(r) << r.error().msg;
    EXPECT_EQ((*r)["routes"][0]["dst"], "0.0.0.0/0");  // the last plugin's result

    const std::string path = "/nonexistent:" + plugins_.path();
    EXPECT_EQ(calls(), (std::vector<std::string>{
                           "bridge ADD c1 /run/netns/x eth0 IgnoreUnknown=1;K=v " + path,
                           "portmap ADD c1 /run/netns/x eth0 IgnoreUnknown=1;K=v " + path,
                       }));
    auto b = stdin_of("bridge", "ADD").at(0);
    EXPECT_EQ(b["name"], "net");
    EXPECT_EQ(b["cniVersion"], "1.1.0");
    EXPECT_FALSE(b.contains("prevResult"));
    EXPECT_FALSE(b.contains("runtimeConfig"));  // bridge declares no capabilities
    auto p = stdin_of("portmap", "ADD").at(0);
    json want_prev = json::parse(kBridgeResult);
    want_prev["dns"] = json::object();  // converted: every Result carries dns
    EXPECT_EQ(p["prevResult"], want_prev);
    EXPECT_EQ(p["runtimeConfig"], json::parse(R"({"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]})"));

    auto cached = cni::decode_cache(testutil::read(cache_file()));
    ASSERT_TRUE(cached) << cached.error().msg;
    EXPECT_EQ(cached->result, *r);
    EXPECT_EQ(cached->config, l.bytes);
    EXPECT_EQ(cached->netns, "/run/netns/x");
    EXPECT_EQ(cached->cni_args, rt().args);
    EXPECT_EQ(cached->capability_args, rt().capability_args);
}

TEST_F(Chain, AddConvertsPluginResultsToListVersion) {
    auto l = list("0.4.0");
    auto r = runtime().add_network_list(l, rt());
    ASSERT_TRUE(r) << r.error().msg;
    EXPECT_EQ((*r)["cniVersion"], "0.4.0");
    EXPECT_EQ((*r)["ips"][0]["version"], "4");
    EXPECT_EQ(stdin_of("portmap", "ADD").at(0)["prevResult"]["cniVersion"], "0.4.0");
}

TEST_F(Chain, FailedAddStopsAndCachesNothing) {
    testutil::write(plugins_ / "bridge.ADD.fail", R"({"cniVersion":"1.1.0","code":101,"msg":"no addresses left"})");
    auto r = runtime().add_network_list(list(), rt());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, 101);
    EXPECT_NE(r.error().msg.find("\"bridge\" ADD"), std::string::npos) << r.error().msg;
    EXPECT_NE(r.error().msg.find("no addresses left"), std::string::npos) << r.error().msg;
    EXPECT_EQ(calls().size(), 1u);  // portmap never ran; nothing rolled back (caller DELs)
    EXPECT_FALSE(testutil::exists(cache_file()));
}

TEST_F(Chain, AddWithoutResultIsAnError) {
    testutil::write(plugins_ / "portmap.result", "");
    auto r = runtime().add_network_list(list(), rt());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, 6);
    EXPECT_FALSE(testutil::exists(cache_file()));
}

TEST_F(Chain, AddValidatesIdsBeforeExec) {
    for (auto [id, ifname] : {std::pair{"../../etc", "eth0"}, {"c1", "a/b"}, {"", "eth0"}, {"c1", ""}}) {
        auto conf = rt(id);
        conf.ifname = ifname;
        EXPECT_FALSE(runtime().add_network_list(list(), conf)) << id << " " << ifname;
        EXPECT_FALSE(runtime().del_network_list(list(), conf)) << id << " " << ifname;
    }
    EXPECT_TRUE(calls().empty());
}

TEST_F(Chain, DelRunsReverseWithCachedResultAndRemovesCache) {
    auto l = list();
    auto added = runtime().add_network_list(l, rt());
    ASSERT_TRUE(added);
    ASSERT_TRUE(runtime().del_network_list(l, rt()));
    auto c = calls();
    ASSERT_EQ(c.size(), 4u);
    EXPECT_TRUE(c[2].starts_with("portmap DEL c1 /run/netns/x eth0")) << c[2];
    EXPECT_TRUE(c[3].starts_with("bridge DEL c1")) << c[3];
    // Every plugin gets the final cached result, not its own ADD output.
    EXPECT_EQ(stdin_of("bridge", "DEL").at(0)["prevResult"], *added);
    EXPECT_EQ(stdin_of("portmap", "DEL").at(0)["prevResult"], *added);
    EXPECT_EQ(stdin_of("portmap", "DEL").at(0)["runtimeConfig"]["portMappings"][0]["hostPort"], 8080);
    EXPECT_FALSE(testutil::exists(cache_file()));
    EXPECT_TRUE(runtime().del_network_list(l, rt()));  // again: fine, no prevResult
    EXPECT_FALSE(stdin_of("bridge", "DEL").at(1).contains("prevResult"));
}

TEST_F(Chain, DelBeforeVersion040SendsNoPrevResult) {
    auto l = list("0.3.1");
    ASSERT_TRUE(runtime().add_network_list(l, rt()));
    ASSERT_TRUE(runtime().del_network_list(l, rt()));
    EXPECT_FALSE(stdin_of("bridge", "DEL").at(0).contains("prevResult"));
    EXPECT_FALSE(testutil::exists(cache_file()));
}

TEST_F(Chain, DelToleratesCorruptCache) {
    testutil::write(cache_file(), "");  // libcni's crash leftover
    auto r = runtime().del_network_list(list(), rt());
    ASSERT_TRUE(r) << r.error().msg;
    EXPECT_FALSE(stdin_of("bridge", "DEL").at(0).contains("prevResult"));
    EXPECT_FALSE(testutil::exists(cache_file()));

    testutil::write(cache_file(), R"({"kind":"cniCacheV1","containerId":"c1","ifName":"eth0","networkName":"net",)"
                                  R"("result":{"cniVersion":"1.1.0","ips":[{"address":"not-an-ip"}]}})");
    ASSERT_TRUE(runtime().del_network_list(list(), rt()));
    EXPECT_FALSE(testutil::exists(cache_file()));
}

TEST_F(Chain, DelStopsAtFirstErrorAndKeepsCache) {
    auto l = list();
    ASSERT_TRUE(runtime().add_network_list(l, rt()));
    testutil::write(plugins_ / "portmap.DEL.fail", R"({"code":11,"msg":"xtables lock busy"})");
    auto r = runtime().del_network_list(l, rt());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, 11);
    EXPECT_EQ(calls().size(), 3u);  // bridge DEL not run (libcni stops too)
    EXPECT_TRUE(testutil::exists(cache_file()));  // a retry gets the same prevResult
    ::unlink((plugins_ / "portmap.DEL.fail").c_str());
    ASSERT_TRUE(runtime().del_network_list(l, rt()));
    EXPECT_EQ(stdin_of("bridge", "DEL").at(0)["prevResult"]["routes"][0]["dst"], "0.0.0.0/0");
}

TEST_F(Chain, DelContinuePolicyRunsEveryPlugin) {
    auto l = list();
    ASSERT_TRUE(runtime().add_network_list(l, rt()));
    testutil::write(plugins_ / "portmap.DEL.fail", R"({"code":11,"msg":"xtables lock busy"})");
    auto r = runtime().del_network_list(l, rt(), cni::DelPolicy::Continue);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, 11);
    auto c = calls();
    ASSERT_EQ(c.size(), 4u);
    EXPECT_TRUE(c[3].starts_with("bridge DEL c1")) << c[3];  // ran despite portmap's failure
    EXPECT_TRUE(testutil::exists(cache_file()));
    ::unlink((plugins_ / "portmap.DEL.fail").c_str());
    ASSERT_TRUE(runtime().del_network_list(l, rt(), cni::DelPolicy::Continue));
    EXPECT_FALSE(testutil::exists(cache_file()));
}

TEST_F(Chain, CheckUsesCacheAndHonoursVersionAndDisableCheck) {
    auto l = list();
    auto none = runtime().check_network_list(l, rt());
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, 3);  // nothing cached: refused before any exec
    EXPECT_TRUE(calls().empty());

    auto added = runtime().add_network_list(l, rt());
    ASSERT_TRUE(added);
    ASSERT_TRUE(runtime().check_network_list(l, rt()));
    auto c = calls();
    ASSERT_EQ(c.size(), 4u);
    EXPECT_TRUE(c[2].starts_with("bridge CHECK")) << c[2];
    EXPECT_TRUE(c[3].starts_with("portmap CHECK")) << c[3];
    EXPECT_EQ(stdin_of("bridge", "CHECK").at(0)["prevResult"], *added);

    testutil::write(plugins_ / "bridge.CHECK.fail", R"({"code":7,"msg":"veth gone"})");
    auto bad = runtime().check_network_list(l, rt());
    ASSERT_FALSE(bad);
    EXPECT_EQ(calls().size(), 5u);  // stops at the first failure

    auto disabled = list("1.1.0", R"("disableCheck":true,)");
    EXPECT_TRUE(runtime().check_network_list(disabled, rt()));
    EXPECT_EQ(calls().size(), 5u);

    auto old = runtime().check_network_list(list("0.3.1"), rt());
    ASSERT_FALSE(old);
    EXPECT_EQ(old.error().code, 1);
}

TEST_F(Chain, StatusOnlyFrom110WithMinimalEnv) {
    ASSERT_TRUE(runtime().status_network_list(list("1.0.0")));
    EXPECT_TRUE(calls().empty());
    ASSERT_TRUE(runtime().status_network_list(list("1.1.0")));
    const std::string path = "/nonexistent:" + plugins_.path();
    EXPECT_EQ(calls(), (std::vector<std::string>{"bridge STATUS     " + path, "portmap STATUS     " + path}));
    auto s = stdin_of("portmap", "STATUS").at(0);
    EXPECT_EQ(s["name"], "net");
    EXPECT_FALSE(s.contains("runtimeConfig"));
    EXPECT_FALSE(s.contains("prevResult"));

    testutil::write(plugins_ / "bridge.STATUS.fail", R"({"code":50,"msg":"no addresses left"})");
    auto r = runtime().status_network_list(list("1.1.0"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, 50);
    EXPECT_EQ(calls().size(), 3u);
}

TEST(GcSet, StaleAttachmentsAreThoseNotValid) {
    std::vector<cni::CacheEntry> cached;
    for (auto [id, ifname] : {std::pair{"c1", "eth0"}, {"c1", "net1"}, {"c2", "eth0"}}) {
        cached.emplace_back();
        cached.back().container_id = id;
        cached.back().ifname = ifname;
        cached.back().network_name = "n";
    }
    auto ids = [](const std::vector<cni::CacheEntry>& v) {
        std::vector<std::string> out;
        for (const auto& e : v) out.push_back(e.container_id + ":" + e.ifname);
        return out;
    };
    std::vector<cni::Attachment> valid{{"c1", "eth0"}, {"c9", "eth0"}};
    EXPECT_EQ(ids(cni::stale_attachments(cached, valid)), (std::vector<std::string>{"c1:net1", "c2:eth0"}));
    EXPECT_EQ(ids(cni::stale_attachments(cached, {})).size(), 3u);
    // Same id, other ifname, is a different attachment.
    std::vector<cni::Attachment> by_id{{"c2", "net1"}};
    EXPECT_EQ(ids(cni::stale_attachments(cached, by_id)).size(), 3u);
}

TEST_F(Chain, GcDeletesStaleThenSendsGcVerb) {
    auto l = list();
    for (auto id : {"keep", "stale1", "stale2"}) ASSERT_TRUE(runtime().add_network_list(l, rt(id)));
    testutil::write(plugins_ / "calls", "");
    std::vector<cni::Attachment> valid{{"keep", "eth0"}};
    auto r = runtime().gc_network_list(l, valid);
    ASSERT_TRUE(r) << r.error().msg;
    auto c = calls();
    ASSERT_EQ(c.size(), 6u);
    EXPECT_TRUE(c[0].starts_with("portmap DEL stale1 /run/netns/x eth0 IgnoreUnknown=1;K=v")) << c[0];
    EXPECT_TRUE(c[1].starts_with("bridge DEL stale1")) << c[1];
    EXPECT_TRUE(c[2].starts_with("portmap DEL stale2")) << c[2];
    EXPECT_TRUE(c[3].starts_with("bridge DEL stale2")) << c[3];
    EXPECT_TRUE(c[4].starts_with("bridge GC    ")) << c[4];
    EXPECT_TRUE(c[5].starts_with("portmap GC    ")) << c[5];
    // The stale DEL replays the cached capability args (portmap needs its mappings again).
    EXPECT_EQ(stdin_of("portmap", "DEL").at(0)["runtimeConfig"]["portMappings"][0]["hostPort"], 8080);
    auto gc = stdin_of("bridge", "GC").at(0);
    json want = json::parse(R"([{"containerID":"keep","ifname":"eth0"}])");
    EXPECT_EQ(gc["cni.dev/valid-attachments"], want);
    EXPECT_EQ(gc["cni.dev/attachments"], want);
    EXPECT_EQ(gc["name"], "net");
    EXPECT_FALSE(gc.contains("runtimeConfig"));
    EXPECT_TRUE(testutil::exists(cache_file("keep")));
    EXPECT_FALSE(testutil::exists(cache_file("stale1")));
    EXPECT_FALSE(testutil::exists(cache_file("stale2")));
}

TEST_F(Chain, GcContinuesPastErrorsAndJoinsThem) {
    auto l = list();
    for (auto id : {"s1", "s2"}) ASSERT_TRUE(runtime().add_network_list(l, rt(id)));
    testutil::write(plugins_ / "calls", "");
    testutil::write(plugins_ / "bridge.DEL.fail", R"({"code":11,"msg":"busy"})");
    testutil::write(plugins_ / "portmap.GC.fail", R"({"code":7,"msg":"gc broken"})");
    auto r = runtime().gc_network_list(l, {});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, 11);  // the first error's
    EXPECT_NE(r.error().msg.find("3 errors"), std::string::npos) << r.error().msg;
    EXPECT_NE(r.error().msg.find("gc broken"), std::string::npos) << r.error().msg;
    EXPECT_EQ(calls().size(), 6u);  // 2 x (portmap DEL, bridge DEL) + 2 GC
    EXPECT_TRUE(testutil::exists(cache_file("s1")));  // failed DEL keeps its entry
}

TEST_F(Chain, GcRespectsDisableGcAndOldVersions) {
    auto disabled = list("1.1.0", R"("disableGC":"true",)");
    ASSERT_TRUE(runtime().add_network_list(disabled, rt("s1")));
    testutil::write(plugins_ / "calls", "");
    ASSERT_TRUE(runtime().gc_network_list(disabled, {}));
    EXPECT_TRUE(calls().empty());
    EXPECT_TRUE(testutil::exists(cache_file("s1")));

    // 1.0.0: stale attachments are still deleted, but there is no GC verb.
    auto old = list("1.0.0");
    ASSERT_TRUE(runtime().gc_network_list(old, {}));
    auto c = calls();
    ASSERT_EQ(c.size(), 2u);
    EXPECT_TRUE(c[0].starts_with("portmap DEL s1")) << c[0];
    EXPECT_FALSE(testutil::exists(cache_file("s1")));
}

TEST_F(Chain, WithCachedConfigReplaysAddInputs) {
    auto l = list();
    ASSERT_TRUE(runtime().add_network_list(l, rt()));
    cni::RuntimeConf bare;
    bare.container_id = "c1";
    bare.ifname = "eth0";
    auto replay = runtime().with_cached_config(l, bare);
    EXPECT_EQ(replay.netns, "/run/netns/x");
    EXPECT_EQ(replay.args, rt().args);
    EXPECT_EQ(replay.capability_args, rt().capability_args);

    testutil::write(cache_file(), "garbage");
    auto unchanged = runtime().with_cached_config(l, bare);
    EXPECT_EQ(unchanged.netns, "");
    EXPECT_EQ(unchanged.capability_args, json::object());
}
