#include "netlib/cni/conflist.hpp"

#include <gtest/gtest.h>

#include "temp_dir.hpp"

using namespace netlib;
using cni::NetworkConfigList;

namespace {

struct ParseCase {
    const char* what;
    const char* doc;
    int code;  // 0 = must parse
};

const ParseCase kParseCases[] = {
    {"minimal", R"({"cniVersion":"1.0.0","name":"n1","plugins":[{"type":"bridge"}]})", 0},
    {"name with . _ -", R"({"cniVersion":"1.0.0","name":"a.b_c-d9","plugins":[{"type":"x"}]})", 0},
    {"not json", R"({"cniVersion":)", 6},
    {"top level array", R"([1,2])", 7},
    {"no name", R"({"cniVersion":"1.0.0","plugins":[{"type":"x"}]})", 7},
    {"name not string", R"({"cniVersion":"1.0.0","name":5,"plugins":[{"type":"x"}]})", 7},
    {"name starts with dash", R"({"cniVersion":"1.0.0","name":"-n","plugins":[{"type":"x"}]})", 7},
    {"name with slash", R"({"cniVersion":"1.0.0","name":"a/b","plugins":[{"type":"x"}]})", 7},
    {"name with space", R"({"cniVersion":"1.0.0","name":"a b","plugins":[{"type":"x"}]})", 7},
    {"empty name", R"({"cniVersion":"1.0.0","name":"","plugins":[{"type":"x"}]})", 7},
    {"no plugins", R"({"cniVersion":"1.0.0","name":"n"})", 7},
    {"plugins empty", R"({"cniVersion":"1.0.0","name":"n","plugins":[]})", 7},
    {"plugins not list", R"({"cniVersion":"1.0.0","name":"n","plugins":{"type":"x"}})", 7},
    {"plugin without type", R"({"cniVersion":"1.0.0","name":"n","plugins":[{"bridge":"b"}]})", 7},
    {"plugin type empty", R"({"cniVersion":"1.0.0","name":"n","plugins":[{"type":""}]})", 7},
    {"plugin type number", R"({"cniVersion":"1.0.0","name":"n","plugins":[{"type":3}]})", 7},
    {"plugin not object", R"({"cniVersion":"1.0.0","name":"n","plugins":["bridge"]})", 7},
    {"capability not bool", R"({"cniVersion":"1.0.0","name":"n","plugins":[{"type":"x","capabilities":{"portMappings":"yes"}}]})", 7},
    {"capabilities not object", R"({"cniVersion":"1.0.0","name":"n","plugins":[{"type":"x","capabilities":["a"]}]})", 7},
    {"disableCheck string", R"({"cniVersion":"1.0.0","name":"n","disableCheck":"TRUE","plugins":[{"type":"x"}]})", 0},
    {"disableCheck bad string", R"({"cniVersion":"1.0.0","name":"n","disableCheck":"yes","plugins":[{"type":"x"}]})", 7},
    {"disableGC number", R"({"cniVersion":"1.0.0","name":"n","disableGC":1,"plugins":[{"type":"x"}]})", 7},
    {"no version at all", R"({"name":"n","plugins":[{"type":"x"}]})", 1},
    {"unsupported version", R"({"cniVersion":"0.2.0","name":"n","plugins":[{"type":"x"}]})", 1},
    {"malformed version", R"({"cniVersion":"1.x","name":"n","plugins":[{"type":"x"}]})", 7},
    {"cniVersions not list", R"({"cniVersions":"1.0.0","name":"n","plugins":[{"type":"x"}]})", 7},
    {"cniVersions with number", R"({"cniVersions":["1.0.0",1],"name":"n","plugins":[{"type":"x"}]})", 7},
    {"inlined only without plugins", R"({"cniVersion":"1.0.0","name":"n","loadOnlyInlinedPlugins":true})", 7},
};

}  // namespace

TEST(Conflist, ParseTable) {
    for (const auto& c : kParseCases) {
        auto l = cni::parse_conflist(c.doc);
        if (c.code == 0) {
            EXPECT_TRUE(l) << c.what << ": " << l.error().msg;
        } else {
            ASSERT_FALSE(l) << c.what;
            EXPECT_EQ(l.error().code, c.code) << c.what << ": " << l.error().msg;
        }
    }
}

TEST(Conflist, FieldsAndBytesKept) {
    std::string doc = R"({"cniVersion":"1.1.0","name":"net","disableCheck":"true","disableGC":false,
        "plugins":[{"type":"bridge","bridge":"b0"},{"type":"portmap","capabilities":{"portMappings":true}}]})";
    auto l = cni::parse_conflist(doc);
    ASSERT_TRUE(l) << l.error().msg;
    EXPECT_EQ(l->name, "net");
    EXPECT_EQ(l->cni_version, "1.1.0");
    EXPECT_TRUE(l->disable_check);
    EXPECT_FALSE(l->disable_gc);
    EXPECT_FALSE(l->load_only_inlined_plugins);
    ASSERT_EQ(l->plugins.size(), 2u);
    EXPECT_EQ(l->plugins[0]["bridge"], "b0");
    EXPECT_EQ(l->plugins[1]["type"], "portmap");
    EXPECT_EQ(l->bytes, doc);  // exactly as read: this is what the cache stores
}

TEST(Conflist, VersionSelection) {
    struct Case {
        const char* version;
        std::vector<std::string> versions;
        const char* want;  // nullptr: error
        int code;
    };
    const Case cases[] = {
        {"1.0.0", {}, "1.0.0", 0},
        {"1.1.0", {"1.1.0", "1.0.0"}, "1.1.0", 0},
        {"0.4.0", {"1.0.0"}, "1.0.0", 0},           // highest of the union
        {"", {"0.3.1", "1.0.0", "0.4.0"}, "1.0.0", 0},  // order does not matter
        {"2.0.0", {"1.0.0"}, "1.0.0", 0},           // unknown newer version skipped
        {"9.9.9", {"1.1.0", "3.0.0"}, "1.1.0", 0},
        {"0.3.0", {}, "0.3.0", 0},
        {"2.0.0", {}, nullptr, 1},
        {"0.2.0", {"0.1.0"}, nullptr, 1},
        {"", {}, nullptr, 1},
        {"1.0", {}, nullptr, 7},
        {"1.0.0", {"banana"}, nullptr, 7},
    };
    for (const auto& c : cases) {
        auto v = cni::select_version(c.version, c.versions);
        if (c.want) {
            ASSERT_TRUE(v) << c.version << ": " << v.error().msg;
            EXPECT_EQ(*v, c.want) << c.version;
        } else {
            ASSERT_FALSE(v) << c.version;
            EXPECT_EQ(v.error().code, c.code) << c.version << ": " << v.error().msg;
        }
    }
}

TEST(Conflist, SinglePluginConfIsWrapped) {
    auto l = cni::parse_plugin_conf_as_list(R"({"cniVersion":"0.4.0","name":"single","type":"bridge","bridge":"x"})");
    ASSERT_TRUE(l) << l.error().msg;
    EXPECT_EQ(l->name, "single");
    EXPECT_EQ(l->cni_version, "0.4.0");
    ASSERT_EQ(l->plugins.size(), 1u);
    EXPECT_EQ(l->plugins[0]["bridge"], "x");
    // bytes is a list document, so whoever decodes the cached "config" gets a conflist.
    auto reparsed = cni::parse_conflist(l->bytes);
    ASSERT_TRUE(reparsed) << reparsed.error().msg;
    EXPECT_EQ(reparsed->plugins[0]["type"], "bridge");

    auto no_name = cni::parse_plugin_conf_as_list(R"({"cniVersion":"1.0.0","type":"bridge"})");
    ASSERT_FALSE(no_name);
    EXPECT_EQ(no_name.error().code, 7);
    auto no_type = cni::parse_plugin_conf_as_list(R"({"cniVersion":"1.0.0","name":"s"})");
    ASSERT_FALSE(no_type);
    EXPECT_EQ(no_type.error().code, 7);
}

TEST(Conflist, PluginDirIsAppendedUnlessInlinedOnly) {
    testutil::TempDir d;
    testutil::write(d / "10-a.conflist", R"({"cniVersion":"1.0.0","name":"a","plugins":[{"type":"bridge"}]})");
    testutil::write(d / "a/20-second.conf", R"({"type":"tuning"})");
    testutil::write(d / "a/10-first.conf", R"({"type":"portmap"})");
    testutil::write(d / "a/ignored.json", R"({"type":"nope"})");  // only *.conf counts
    auto l = cni::load_conflist_file(d / "10-a.conflist");
    ASSERT_TRUE(l) << l.error().msg;
    ASSERT_EQ(l->plugins.size(), 3u);
    EXPECT_EQ(l->plugins[1]["type"], "portmap");  // sorted by file name
    EXPECT_EQ(l->plugins[2]["type"], "tuning");
    EXPECT_EQ(l->source, d / "10-a.conflist");

    testutil::write(d / "20-b.conflist",
                    R"({"cniVersion":"1.0.0","name":"b","loadOnlyInlinedPlugins":"true","plugins":[{"type":"bridge"}]})");
    testutil::write(d / "b/x.conf", R"({"type":"portmap"})");
    auto b = cni::load_conflist_file(d / "20-b.conflist");
    ASSERT_TRUE(b) << b.error().msg;
    EXPECT_EQ(b->plugins.size(), 1u);

    // Plugins only from the plugin dir.
    testutil::write(d / "30-c.conflist", R"({"cniVersion":"1.0.0","name":"c"})");
    testutil::write(d / "c/x.conf", R"({"type":"macvlan"})");
    auto c = cni::load_conflist_file(d / "30-c.conflist");
    ASSERT_TRUE(c) << c.error().msg;
    ASSERT_EQ(c->plugins.size(), 1u);
    EXPECT_EQ(c->plugins[0]["type"], "macvlan");

    testutil::write(d / "40-e.conflist", R"({"cniVersion":"1.0.0","name":"e"})");
    auto e = cni::load_conflist_file(d / "40-e.conflist");
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().code, 7);
    EXPECT_NE(e.error().msg.find("no plugins"), std::string::npos) << e.error().msg;

    testutil::write(d / "f/bad.conf", R"({"notype":1})");
    testutil::write(d / "50-f.conflist", R"({"cniVersion":"1.0.0","name":"f","plugins":[{"type":"x"}]})");
    auto f = cni::load_conflist_file(d / "50-f.conflist");
    ASSERT_FALSE(f);
    EXPECT_NE(f.error().msg.find("bad.conf"), std::string::npos) << f.error().msg;
}

TEST(Conflist, FindByNameOrder) {
    testutil::TempDir d1, d2;
    // Within a dir: sorted .conflist first, then .conf/.json, regardless of names.
    testutil::write(d1 / "00-single.conf", R"({"cniVersion":"1.0.0","name":"net","type":"from-conf"})");
    testutil::write(d1 / "50-list.conflist", R"({"cniVersion":"1.0.0","name":"net","plugins":[{"type":"from-50"}]})");
    testutil::write(d1 / "20-list.conflist", R"({"cniVersion":"1.0.0","name":"net","plugins":[{"type":"from-20"}]})");
    testutil::write(d1 / "10-other.conflist", R"({"cniVersion":"1.0.0","name":"other","plugins":[{"type":"o"}]})");
    testutil::write(d1 / "05-broken.conflist", R"({"cniVersion":)");
    testutil::write(d1 / "only-conf.json", R"({"cniVersion":"1.0.0","name":"legacy","type":"from-json"})");
    testutil::write(d2 / "x.conflist", R"({"cniVersion":"1.0.0","name":"second","plugins":[{"type":"d2"}]})");
    testutil::write(d2 / "y.conflist", R"({"cniVersion":"1.0.0","name":"net","plugins":[{"type":"d2-net"}]})");
    std::vector<std::string> dirs{d1.path(), d2.path(), "/nonexistent/netrun"};

    auto net = cni::find_conflist(dirs, "net");
    ASSERT_TRUE(net) << net.error().msg;
    EXPECT_EQ(net->plugins[0]["type"], "from-20");
    EXPECT_EQ(net->source, d1 / "20-list.conflist");

    auto legacy = cni::find_conflist(dirs, "legacy");
    ASSERT_TRUE(legacy) << legacy.error().msg;
    EXPECT_EQ(legacy->plugins[0]["type"], "from-json");

    auto second = cni::find_conflist(dirs, "second");
    ASSERT_TRUE(second) << second.error().msg;
    EXPECT_EQ(second->plugins[0]["type"], "d2");

    auto missing = cni::find_conflist(dirs, "missing");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, 7);
    // The broken file is named so a person can see why their network might be missing.
    EXPECT_NE(missing.error().msg.find("05-broken.conflist"), std::string::npos) << missing.error().msg;
}

TEST(Conflist, MatchingButInvalidFileIsAnError) {
    testutil::TempDir d;
    testutil::write(d / "a.conflist", R"({"cniVersion":"1.0.0","name":"net","plugins":[{"nottype":1}]})");
    testutil::write(d / "b.conflist", R"({"cniVersion":"1.0.0","name":"net","plugins":[{"type":"ok"}]})");
    std::vector<std::string> dirs{d.path()};
    auto l = cni::find_conflist(dirs, "net");
    ASSERT_FALSE(l);  // the first file named "net" is the one meant; do not fall through
    EXPECT_EQ(l.error().code, 7);
    EXPECT_NE(l.error().msg.find("a.conflist"), std::string::npos) << l.error().msg;
}

TEST(Conflist, ProjectDefaultConflistIsValid) {
    const char* src = std::getenv("NETRUN_SOURCE_DIR");
    ASSERT_NE(src, nullptr);
    auto l = cni::load_conflist_file(std::string(src) + "/conf/netrun-bridge.conflist");
    ASSERT_TRUE(l) << l.error().msg;
    EXPECT_EQ(l->name, "netrun");
    EXPECT_EQ(l->cni_version, "1.1.0");
    ASSERT_EQ(l->plugins.size(), 2u);
    EXPECT_EQ(l->plugins[0]["type"], "bridge");
    EXPECT_EQ(l->plugins[0]["bridge"], "netrun0");
    EXPECT_EQ(l->plugins[0]["ipam"]["ranges"][0][0]["subnet"], "10.89.0.0/16");
    EXPECT_EQ(l->plugins[1]["type"], "portmap");
    EXPECT_EQ(l->plugins[1]["capabilities"]["portMappings"], true);
}
