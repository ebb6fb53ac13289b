#include "net/net_options.hpp"

#include <gtest/gtest.h>

#include "net/net_defaults.hpp"
#include "net/port_spec.hpp"
#include "temp_dir.hpp"

using namespace netrun::net;
using nlohmann::json;

namespace {
netlib::Expected<NetOptions> parse(std::vector<std::string_view> args) { return parse_net_options(args); }
}  // namespace

TEST(PortSpec, Table) {
    struct Case {
        const char* spec;
        const char* want;  // JSON, nullptr = error
    };
    const Case cases[] = {
        {"8080:80", R"({"hostPort":8080,"containerPort":80,"protocol":"tcp"})"},
        {"8080:80/udp", R"({"hostPort":8080,"containerPort":80,"protocol":"udp"})"},
        {"8080:80/SCTP", R"({"hostPort":8080,"containerPort":80,"protocol":"sctp"})"},
        {"127.0.0.1:8080:80", R"({"hostPort":8080,"containerPort":80,"protocol":"tcp","hostIP":"127.0.0.1"})"},
        {"[::1]:53:53/udp", R"({"hostPort":53,"containerPort":53,"protocol":"udp","hostIP":"::1"})"},
        {"1:65535", R"({"hostPort":1,"containerPort":65535,"protocol":"tcp"})"},
        {"80", nullptr},
        {"0:80", nullptr},
        {"65536:80", nullptr},
        {"80:-1", nullptr},
        {"80:80/icmp", nullptr},
        {"a:80", nullptr},
        {"300.0.0.1:80:80", nullptr},
        {"::1:80:80", nullptr},  // IPv6 needs brackets
        {"[::1]80:80", nullptr},
        {"1.2.3.4:80:80:90", nullptr},
        {"8080:80/", nullptr},
    };
    for (const auto& c : cases) {
        auto m = parse_port_mapping(c.spec);
        if (c.want) {
            ASSERT_TRUE(m) << c.spec << ": " << m.error().msg;
            EXPECT_EQ(*m, json::parse(c.want)) << c.spec;
        } else {
            EXPECT_FALSE(m) << c.spec << " -> " << m->dump();
        }
    }
}

TEST(NetOptions, AddWithEverything) {
    auto o = parse({"add", "netrun", "/run/netns/web", "--id", "c1", "--ifname=net1", "-p", "8080:80",
                    "-p127.0.0.1:5353:53/udp", "--ip", "10.89.0.9", "--ip", "fd00::9/64", "--mac", "0A:58:0A:59:00:09",
                    "--args", "K8S_POD_NAME=web;FOO=bar", "--cap", R"(bandwidth={"ingressRate":1000})",
                    "--cache-dir", "/tmp/c", "--conf-dir", "/a", "--conf-dir", "/b", "--cni-path", "/x::/y"});
    ASSERT_TRUE(o) << o.error().msg;
    EXPECT_EQ(o->verb, Verb::Add);
    EXPECT_EQ(o->network, "netrun");
    EXPECT_EQ(o->netns, "/run/netns/web");
    EXPECT_EQ(o->container_id, "c1");
    EXPECT_EQ(o->ifname, "net1");
    EXPECT_EQ(o->capability_args, json::parse(R"({
        "portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"},
                        {"hostPort":5353,"containerPort":53,"protocol":"udp","hostIP":"127.0.0.1"}],
        "ips":["10.89.0.9","fd00::9/64"], "mac":"0a:58:0a:59:00:09", "bandwidth":{"ingressRate":1000}})"));
    EXPECT_EQ(o->args, (std::vector<std::pair<std::string, std::string>>{
                           {"IgnoreUnknown", "1"}, {"K8S_POD_NAME", "web"}, {"FOO", "bar"}}));
    EXPECT_TRUE(o->runtime_args_given);
    EXPECT_EQ(o->cache_dir, "/tmp/c");
    EXPECT_EQ(o->conf_dirs, (std::vector<std::string>{"/a", "/b"}));
    EXPECT_EQ(o->cni_path, (std::vector<std::string>{"/x", "/y"}));
}

TEST(NetOptions, DefaultsAndIgnoreUnknownKept) {
    auto o = parse({"check", "n", "/run/netns/x", "--args", "IgnoreUnknown=0;A=b"});
    ASSERT_TRUE(o) << o.error().msg;
    EXPECT_EQ(o->ifname, "eth0");
    EXPECT_EQ(o->container_id, "");  // derived later from the netns
    EXPECT_EQ(o->args.size(), 2u);   // the user's IgnoreUnknown is respected
    auto plain = parse({"add", "n", "/run/netns/x"});
    ASSERT_TRUE(plain);
    EXPECT_FALSE(plain->runtime_args_given);
    EXPECT_TRUE(plain->args.empty());
    EXPECT_EQ(plain->capability_args, json::object());
}

TEST(NetOptions, UsageErrorsTable) {
    const std::vector<std::vector<std::string_view>> bad = {
        {},                                                  // no verb
        {"attach", "n", "/run/netns/x"},                     // unknown verb
        {"add", "n"},                                        // no netns
        {"add", "n", "/run/netns/x", "extra"},
        {"check", "n"},
        {"del", "n"},                                        // neither netns nor --id
        {"status", "n", "/run/netns/x"},
        {"gc", "n", "/run/netns/x"},
        {"status", "n", "-p", "80:80"},                      // option not used by the verb
        {"gc", "n", "--id", "c"},
        {"add", "n", "/run/netns/x", "--valid", "c:eth0"},
        {"gc", "n", "--valid", "c:eth0", "--all-invalid"},
        {"gc", "n", "--valid", "c"},
        {"gc", "n", "--valid", ":eth0"},
        {"add", "n", "/x", "--bogus"},
        {"add", "n", "/x", "--id"},                          // missing value
        {"add", "n", "/x", "--all-invalid"},
        {"add", "n", "/x", "--mac", "0a:58:0a:59:00"},
        {"add", "n", "/x", "--ip", "10.0.0.300"},
        {"add", "n", "/x", "--args", "novalue"},
        {"add", "n", "/x", "--cap", "bandwidth={"},
        {"add", "n", "/x", "--cap", R"(mac="0a:00:00:00:00:01")", "--mac", "0a:00:00:00:00:02"},
        {"add", "n", "/x", "--cap", R"(portMappings=[])", "-p", "80:80"},
    };
    for (const auto& args : bad) {
        auto o = parse(args);
        std::string shown;
        for (auto a : args) shown += std::string(a) + " ";
        EXPECT_FALSE(o) << shown;
    }
}

TEST(NetOptions, HelpAndDashDash) {
    auto h = parse({"add", "--help"});
    ASSERT_TRUE(h);
    EXPECT_TRUE(h->help);
    auto dd = parse({"del", "n", "--id", "c", "--", "-weird-netns"});
    ASSERT_TRUE(dd) << dd.error().msg;
    EXPECT_EQ(dd->netns, "-weird-netns");
    auto gc = parse({"gc", "n", "--valid", "c1:eth0", "--valid=c2:net1"});
    ASSERT_TRUE(gc) << gc.error().msg;
    EXPECT_EQ(gc->valid, (std::vector<netlib::cni::Attachment>{{"c1", "eth0"}, {"c2", "net1"}}));
}

TEST(NetDefaults, ContainerIdFromNetns) {
    EXPECT_EQ(*container_id_from_netns("/run/netns/web"), "web");
    EXPECT_EQ(*container_id_from_netns("/run/netns/netrun-web.1/"), "netrun-web.1");
    EXPECT_EQ(*container_id_from_netns("/proc/1234/ns/net"), "pid-1234");
    EXPECT_EQ(*container_id_from_netns("relative-ns"), "relative-ns");
    EXPECT_FALSE(container_id_from_netns("/run/netns/with space"));
    EXPECT_FALSE(container_id_from_netns("/run/netns/_x"));
    EXPECT_FALSE(container_id_from_netns(""));
    EXPECT_FALSE(container_id_from_netns("/"));
}

TEST(NetDefaults, CniPathOrder) {
    EXPECT_EQ(default_cni_path("/a:/b::/a", "/exe"), (std::vector<std::string>{"/a", "/b"}));
    // Build tree: no ../lib/cni beside the binary, so the binary's own dir.
    testutil::TempDir d;
    EXPECT_EQ(default_cni_path(nullptr, d / "bin"),
              (std::vector<std::string>{d / "bin", "/opt/cni/bin", "/usr/lib/cni"}));
    EXPECT_EQ(default_cni_path("", d / "bin").front(), d / "bin");
    // Installed layout: <prefix>/bin/netrun with plugins in <prefix>/lib/cni.
    std::filesystem::create_directories(d / "lib/cni");
    std::filesystem::create_directories(d / "bin");
    EXPECT_EQ(default_cni_path(nullptr, d / "bin").front(), d / "lib/cni");
}

TEST(NetDefaults, ConfDirs) {
    EXPECT_EQ(default_conf_dirs("/usr/local/bin", "/src/conf"),
              (std::vector<std::string>{"/etc/cni/net.d", "/usr/local/share/netrun/conf", "/src/conf"}));
    EXPECT_EQ(default_conf_dirs("", ""), (std::vector<std::string>{"/etc/cni/net.d"}));
}
