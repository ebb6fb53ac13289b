#include "netlib/cni/runtime_request.hpp"

#include <gtest/gtest.h>

using namespace netlib;
using nlohmann::json;

TEST(Request, CapabilityFilterTable) {
    const json supplied = {{"portMappings", json::array({{{"hostPort", 80}}})},
                           {"mac", "0a:00:00:00:00:01"},
                           {"ips", json::array({"10.0.0.5/24"})}};
    struct Case {
        const char* what;
        json plugin;
        json want;
    };
    const Case cases[] = {
        {"no capabilities", {{"type", "bridge"}}, json::object()},
        {"declared and supplied", {{"type", "p"}, {"capabilities", {{"portMappings", true}}}},
         {{"portMappings", supplied["portMappings"]}}},
        {"declared false", {{"type", "p"}, {"capabilities", {{"portMappings", false}}}}, json::object()},
        {"declared but not supplied", {{"type", "p"}, {"capabilities", {{"bandwidth", true}}}}, json::object()},
        {"several, mixed",
         {{"type", "p"}, {"capabilities", {{"mac", true}, {"ips", true}, {"portMappings", false}, {"dns", true}}}},
         {{"mac", supplied["mac"]}, {"ips", supplied["ips"]}}},
    };
    for (const auto& c : cases) EXPECT_EQ(cni::runtime_config_for(c.plugin, supplied), c.want) << c.what;
    EXPECT_EQ(cni::runtime_config_for({{"type", "p"}, {"capabilities", {{"mac", true}}}}, json()), json::object());
}

TEST(Request, NameVersionInjectedPrevResultAndRuntimeConfig) {
    json plugin = {{"type", "portmap"}, {"name", "ignored"}, {"cniVersion", "0.3.1"},
                   {"capabilities", {{"portMappings", true}}}, {"snat", true}};
    json prev = {{"cniVersion", "1.1.0"}, {"ips", json::array({{{"address", "10.0.0.2/24"}}})}};
    json caps = {{"portMappings", json::array({{{"hostPort", 8080}, {"containerPort", 80}, {"protocol", "tcp"}}})},
                 {"mac", "0a:00:00:00:00:01"}};
    json conf = cni::build_plugin_config(plugin, "net", "1.1.0", prev, caps);
    EXPECT_EQ(conf["name"], "net");          // list name wins over the plugin's
    EXPECT_EQ(conf["cniVersion"], "1.1.0");  // selected list version wins
    EXPECT_EQ(conf["prevResult"], prev);
    EXPECT_EQ(conf["runtimeConfig"], json({{"portMappings", caps["portMappings"]}}));  // no mac
    EXPECT_EQ(conf["snat"], true);
    EXPECT_EQ(conf["capabilities"], plugin["capabilities"]);  // passed through, like libcni
    EXPECT_EQ(conf["type"], "portmap");

    json first = cni::build_plugin_config(plugin, "net", "1.1.0", json(), json::object());
    EXPECT_FALSE(first.contains("prevResult"));
    EXPECT_FALSE(first.contains("runtimeConfig"));
}

TEST(Request, ConfiguredRuntimeConfigKeptWhenNothingToInject) {
    json plugin = {{"type", "x"}, {"runtimeConfig", {{"static", 1}}}, {"capabilities", {{"mac", true}}}};
    EXPECT_EQ(cni::build_plugin_config(plugin, "n", "1.0.0", json(), json::object())["runtimeConfig"],
              json({{"static", 1}}));
    // libcni replaces the whole key when it injects something.
    EXPECT_EQ(cni::build_plugin_config(plugin, "n", "1.0.0", json(), {{"mac", "m"}})["runtimeConfig"],
              json({{"mac", "m"}}));
}

TEST(Request, ConvertResultToListVersion) {
    json r11 = json::parse(R"({"cniVersion":"1.1.0","interfaces":[{"name":"eth0","mtu":1400,"sandbox":"/run/netns/x"}],
        "ips":[{"address":"10.0.0.2/24","gateway":"10.0.0.1","interface":0}],"routes":[{"dst":"0.0.0.0/0","mtu":1400}]})");
    auto v04 = cni::convert_result(r11, "0.4.0");
    ASSERT_TRUE(v04) << v04.error().msg;
    EXPECT_EQ((*v04)["cniVersion"], "0.4.0");
    EXPECT_EQ((*v04)["ips"][0]["version"], "4");
    EXPECT_FALSE((*v04)["interfaces"][0].contains("mtu"));
    EXPECT_FALSE((*v04)["routes"][0].contains("mtu"));

    auto same = cni::convert_result(r11, "1.1.0");
    ASSERT_TRUE(same);
    EXPECT_EQ((*same)["interfaces"][0]["mtu"], 1400);

    // No cniVersion in the result: read as the list's (libcni does the same).
    auto unversioned = cni::convert_result(json::parse(R"({"ips":[{"address":"10.0.0.2/24"}]})"), "1.0.0");
    ASSERT_TRUE(unversioned) << unversioned.error().msg;
    EXPECT_EQ((*unversioned)["cniVersion"], "1.0.0");

    auto old = cni::convert_result(json::parse(R"({"cniVersion":"0.2.0","ip4":{"ip":"10.0.0.2/24"}})"), "1.0.0");
    ASSERT_FALSE(old);
    EXPECT_EQ(old.error().code, 1);
    EXPECT_FALSE(cni::convert_result(json::array(), "1.0.0"));
    EXPECT_FALSE(cni::convert_result(json::parse(R"({"cniVersion":"1.0.0","ips":[{"address":"bogus"}]})"), "1.0.0"));
}

TEST(Request, CniArgsAndValidAttachments) {
    std::vector<std::pair<std::string, std::string>> args{{"IgnoreUnknown", "1"}, {"K8S_POD_NAME", "web"}};
    EXPECT_EQ(cni::cni_args_string(args), "IgnoreUnknown=1;K8S_POD_NAME=web");
    EXPECT_EQ(cni::cni_args_string({}), "");
    std::vector<cni::Attachment> valid{{"c1", "eth0"}, {"c2", "net1"}};
    EXPECT_EQ(cni::valid_attachments_json(valid).dump(),
              R"([{"containerID":"c1","ifname":"eth0"},{"containerID":"c2","ifname":"net1"}])");
    EXPECT_EQ(cni::valid_attachments_json({}).dump(), "[]");
}
