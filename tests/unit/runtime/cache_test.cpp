#include "netlib/cni/cache.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "temp_dir.hpp"

using namespace netlib;
using nlohmann::json;

namespace {

cni::CacheEntry sample() {
    return cni::CacheEntry{
        .container_id = "c1",
        .ifname = "eth0",
        .network_name = "net",
        .netns = "/run/netns/x",
        .config = R"({"cniVersion":"1.0.0","name":"net","plugins":[{"type":"bridge"}]})",
        .cni_args = {{"IgnoreUnknown", "1"}, {"K8S_POD_NAME", "web"}},
        .capability_args = json::parse(R"({"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]})"),
        .result = json::parse(R"({"cniVersion":"1.0.0","ips":[{"address":"10.89.0.2/16","gateway":"10.89.0.1"}],"dns":{}})"),
    };
}

// What Go's json.Marshal(&cachedInfo{...}) in libcni produces for sample(): struct fields in
// declaration order, []byte as padded standard base64, map keys sorted, compact.
constexpr const char* kLibcniBytes =
    R"({"kind":"cniCacheV1","containerId":"c1",)"
    R"("config":"eyJjbmlWZXJzaW9uIjoiMS4wLjAiLCJuYW1lIjoibmV0IiwicGx1Z2lucyI6W3sidHlwZSI6ImJyaWRnZSJ9XX0=",)"
    R"("ifName":"eth0","networkName":"net","netns":"/run/netns/x",)"
    R"("cniArgs":[["IgnoreUnknown","1"],["K8S_POD_NAME","web"]],)"
    R"("capabilityArgs":{"portMappings":[{"containerPort":80,"hostPort":8080,"protocol":"tcp"}]},)"
    R"("result":{"cniVersion":"1.0.0","dns":{},"ips":[{"address":"10.89.0.2/16","gateway":"10.89.0.1"}]}})";

}  // namespace

TEST(Cache, EncodeIsLibcniByteLayout) { EXPECT_EQ(cni::encode_cache(sample()), kLibcniBytes); }

TEST(Cache, EmptyFieldsOmittedLikeGoOmitempty) {
    cni::CacheEntry e;
    e.container_id = "c";
    e.ifname = "eth0";
    e.network_name = "n";
    EXPECT_EQ(cni::encode_cache(e), R"({"kind":"cniCacheV1","containerId":"c","config":"","ifName":"eth0","networkName":"n"})");
}

TEST(Cache, DecodeWhatLibcniWrites) {
    auto e = cni::decode_cache(kLibcniBytes);
    ASSERT_TRUE(e) << e.error().msg;
    auto want = sample();
    EXPECT_EQ(e->container_id, want.container_id);
    EXPECT_EQ(e->ifname, want.ifname);
    EXPECT_EQ(e->network_name, want.network_name);
    EXPECT_EQ(e->netns, want.netns);
    EXPECT_EQ(e->config, want.config);
    EXPECT_EQ(e->cni_args, want.cni_args);
    EXPECT_EQ(e->capability_args, want.capability_args);
    EXPECT_EQ(e->result, want.result);

    // Go escapes <, >, & in strings and may order keys differently; both are plain JSON.
    auto go = cni::decode_cache(
        R"({"networkName":"n","kind":"cniCacheV1","ifName":"eth0","containerId":"c",)"
        R"("config":null,"cniArgs":[["A","x\u0026y\u003cz"]],"result":null})");
    ASSERT_TRUE(go) << go.error().msg;
    EXPECT_EQ(go->cni_args[0].second, "x&y<z");
    EXPECT_EQ(go->config, "");
    EXPECT_TRUE(go->result.is_null());
    EXPECT_EQ(go->capability_args, json::object());
}

TEST(Cache, DecodeRejectsForeignOrBrokenDocuments) {
    for (const char* bad : {"", "{", "[]", R"({"kind":"other"})", R"({"containerId":"c"})",
                            R"({"kind":"cniCacheV1","config":"!!!"})",
                            R"({"kind":"cniCacheV1","cniArgs":[["only-key"]]})",
                            R"({"kind":"cniCacheV1","capabilityArgs":[1]})",
                            R"({"kind":"cniCacheV1","containerId":7})"}) {
        auto e = cni::decode_cache(bad);
        ASSERT_FALSE(e) << bad;
        EXPECT_EQ(e.error().code, 6) << bad;
    }
}

TEST(Cache, WriteReadRemoveOnDisk) {
    testutil::TempDir d;
    cni::ResultCache cache(d / "cni");
    auto e = sample();
    ASSERT_TRUE(cache.write(e));
    const std::string file = d / "cni/results/net-c1-eth0";
    EXPECT_EQ(cache.path("net", "c1", "eth0"), file);
    EXPECT_EQ(testutil::read(file), kLibcniBytes);
    EXPECT_EQ(testutil::mode_of(file), 0600);
    EXPECT_EQ(testutil::mode_of(d / "cni/results"), 0700);
    // No temp file next to the entry; the temp dir is a directory (libcni skips those) and empty.
    std::vector<std::string> names;
    for (const auto& ent : std::filesystem::directory_iterator(d / "cni/results"))
        names.push_back(ent.path().filename().string());
    std::ranges::sort(names);
    EXPECT_EQ(names, (std::vector<std::string>{".netrun-tmp", "net-c1-eth0"}));
    EXPECT_TRUE(std::filesystem::is_empty(d / "cni/results/.netrun-tmp"));

    auto back = cache.read("net", "c1", "eth0");
    ASSERT_TRUE(back && *back);
    EXPECT_EQ((*back)->result, e.result);
    auto result = cache.read_result("net", "c1", "eth0");
    ASSERT_TRUE(result && *result);
    EXPECT_EQ(**result, e.result);

    // Overwrite (a second ADD) replaces the whole entry.
    e.netns = "/run/netns/y";
    ASSERT_TRUE(cache.write(e));
    EXPECT_EQ((*cache.read("net", "c1", "eth0"))->netns, "/run/netns/y");

    ASSERT_TRUE(cache.remove("net", "c1", "eth0"));
    EXPECT_FALSE(testutil::exists(file));
    EXPECT_TRUE(cache.remove("net", "c1", "eth0"));  // idempotent
    auto gone = cache.read("net", "c1", "eth0");
    ASSERT_TRUE(gone);
    EXPECT_FALSE(*gone);
    auto gone_result = cache.read_result("net", "c1", "eth0");
    ASSERT_TRUE(gone_result);
    EXPECT_FALSE(*gone_result);
}

TEST(Cache, CorruptAndLegacyEntries) {
    testutil::TempDir d;
    cni::ResultCache cache(d.path());
    testutil::write(d / "results/net-zero-eth0", "");  // the 0-byte file a crashed libcni leaves
    auto zero = cache.read_result("net", "zero", "eth0");
    ASSERT_FALSE(zero);
    EXPECT_EQ(zero.error().code, 6);
    EXPECT_FALSE(cache.read("net", "zero", "eth0"));

    // Before cniCacheV1 the file held the bare result.
    testutil::write(d / "results/net-old-eth0", R"({"cniVersion":"0.4.0","ips":[{"version":"4","address":"10.0.0.2/24"}]})");
    auto legacy = cache.read_result("net", "old", "eth0");
    ASSERT_TRUE(legacy && *legacy) << (legacy ? "" : legacy.error().msg);
    EXPECT_EQ((**legacy)["cniVersion"], "0.4.0");
    EXPECT_FALSE(cache.read("net", "old", "eth0"));  // not a cniCacheV1 entry
}

TEST(Cache, ListFiltersByNetworkAndSkipsJunk) {
    testutil::TempDir d;
    cni::ResultCache cache(d.path());
    auto entry = [](std::string net, std::string id, std::string ifname) {
        cni::CacheEntry e;
        e.container_id = std::move(id);
        e.ifname = std::move(ifname);
        e.network_name = std::move(net);
        return e;
    };
    ASSERT_TRUE(cache.write(entry("a", "c2", "eth0")));
    ASSERT_TRUE(cache.write(entry("a", "c1", "eth0")));
    ASSERT_TRUE(cache.write(entry("a", "c1", "net1")));
    ASSERT_TRUE(cache.write(entry("a-b", "c9", "eth0")));  // file "a-b-c9-eth0" starts with "a-"
    ASSERT_TRUE(cache.write(entry("other", "c1", "eth0")));
    testutil::write(d / "results/a-broken-eth0", "{");
    testutil::write(d / "results/a-legacy-eth0", R"({"cniVersion":"0.4.0"})");
    std::filesystem::create_directories(d / "results/a-dir-eth0");

    auto a = cache.list("a");
    ASSERT_TRUE(a) << a.error().msg;
    std::vector<std::string> got;
    for (const auto& e : *a) got.push_back(e.network_name + "/" + e.container_id + "/" + e.ifname);
    EXPECT_EQ(got, (std::vector<std::string>{"a/c1/eth0", "a/c1/net1", "a/c2/eth0"}));

    auto all = cache.list();
    ASSERT_TRUE(all);
    EXPECT_EQ(all->size(), 5u);

    cni::ResultCache empty(d / "never-created");
    auto none = empty.list("a");
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());
}
