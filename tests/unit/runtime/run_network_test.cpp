// The pure parts of `netrun run` networking: docker's DNS file rules, --add-host/--dns
// parsing, -p ranges and the network plan's rejections. No root.
#include <gtest/gtest.h>

#include "net/dns_files.hpp"
#include "net/network_plan.hpp"
#include "net/port_spec.hpp"

using namespace netrun::net;

namespace {

TEST(ResolvConf, LoopbackNameserversDroppedOthersKept) {
    const auto out = resolv_conf(
        "# comment\nsearch lan\nnameserver 127.0.0.53\nnameserver 192.0.2.1\noptions ndots:2\n", {},
        NetKind::Private, false);
    EXPECT_EQ(out, "search lan\nnameserver 192.0.2.1\noptions ndots:2\n");
}

TEST(ResolvConf, OnlyLoopbackFallsBackToGoogleAndV6OnlyWithV6) {
    EXPECT_EQ(resolv_conf("nameserver 127.0.0.1\nnameserver ::1\n", {}, NetKind::Private, false),
              "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
    EXPECT_EQ(resolv_conf("nameserver 127.0.0.1\n", {}, NetKind::Private, true),
              "nameserver 8.8.8.8\nnameserver 8.8.4.4\nnameserver 2001:4860:4860::8888\nnameserver "
              "2001:4860:4860::8844\n");
}

TEST(ResolvConf, HostModeKeepsLoopbackAndOptionsOverride) {
    EXPECT_EQ(resolv_conf("nameserver 127.0.0.53\n", {}, NetKind::Host, false),
              "nameserver 127.0.0.53\n");
    DnsOptions o{{"1.1.1.1"}, {"."}, {"ndots:5"}};
    EXPECT_EQ(resolv_conf("search a b\nnameserver 192.0.2.1\n", o, NetKind::Private, false),
              "nameserver 1.1.1.1\noptions ndots:5\n");
}

TEST(ResolvConf, SystemdStubPointsAtTheUpstreamFile) {
    auto reader = [](std::string etc) {
        return [etc](const std::string& p) -> std::optional<std::string> {
            if (p == "/etc/resolv.conf") return etc;
            if (p == "/run/systemd/resolve/resolv.conf")
                return std::string("nameserver 192.0.2.53\n");
            return std::nullopt;
        };
    };
    EXPECT_EQ(host_resolv_conf_path(reader("nameserver 127.0.0.53\n")),
              "/run/systemd/resolve/resolv.conf");
    EXPECT_EQ(host_resolv_conf_path(reader("nameserver 127.0.0.53\nnameserver 192.0.2.1\n")),
              "/etc/resolv.conf");
}

TEST(HostsFile, DockerLayoutWithAddHostAndNameAlias) {
    const std::vector<std::string> addrs{"10.89.0.2"};
    const std::vector<HostEntry> extra{{"db", "10.1.2.3"}};
    const auto out = hosts_file("box", "web", addrs, extra, NetKind::Private, "");
    EXPECT_TRUE(
        out.starts_with("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"))
        << out;
    EXPECT_NE(out.find("10.1.2.3\tdb\n"), std::string::npos) << out;
    EXPECT_TRUE(out.ends_with("10.89.0.2\tbox\tweb\n")) << out;
    EXPECT_TRUE(
        hosts_file("web", "web", addrs, {}, NetKind::Private, "").ends_with("10.89.0.2\tweb\n"));
    EXPECT_EQ(hosts_file("h", "n", {}, {}, NetKind::None, "").find("\th"), std::string::npos);
    EXPECT_EQ(hosts_file("h", "n", addrs, extra, NetKind::Host, "127.0.0.1 localhost"),
              "127.0.0.1 localhost\n10.1.2.3\tdb\n");
}

TEST(AddHost, FormsAndErrors) {
    EXPECT_EQ(parse_add_host("db:10.0.0.5", "").value().address, "10.0.0.5");
    EXPECT_EQ(parse_add_host("db=10.0.0.5", "").value().name, "db");
    EXPECT_EQ(parse_add_host("v6:[2001:db8::1]", "").value().address, "2001:db8::1");
    EXPECT_EQ(parse_add_host("v6:2001:db8::1", "").value().address, "2001:db8::1");
    EXPECT_EQ(parse_add_host("gw:host-gateway", "10.89.0.1").value().address, "10.89.0.1");
    auto no_gw = parse_add_host("gw:host-gateway", "");
    ASSERT_FALSE(no_gw);
    EXPECT_NE(no_gw.error().msg.find("gateway"), std::string::npos);
    auto bad = parse_add_host("db:notanip", "");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().msg.find("--add-host db:notanip"), std::string::npos) << bad.error().msg;
    EXPECT_FALSE(parse_add_host("nocolon", ""));
    EXPECT_FALSE(parse_dns_server("dns.example"));
    EXPECT_TRUE(parse_dns_server("2001:db8::53"));
}

TEST(Publish, RangesExpandAndMismatchesAreRefused) {
    auto r = parse_publish("127.0.0.1:8000-8002:80-82/udp");
    ASSERT_TRUE(r) << r.error().msg;
    ASSERT_EQ(r->size(), 3u);
    EXPECT_EQ((*r)[2]["hostPort"], 8002);
    EXPECT_EQ((*r)[2]["containerPort"], 82);
    EXPECT_EQ((*r)[2]["protocol"], "udp");
    EXPECT_EQ((*r)[2]["hostIP"], "127.0.0.1");
    EXPECT_FALSE(parse_publish("8000-8002:80"));
    EXPECT_FALSE(parse_publish("8002-8000:80-82"));
    auto no_host = parse_publish("80");
    ASSERT_FALSE(no_host);
    EXPECT_NE(no_host.error().msg.find("host port"), std::string::npos);
}

TEST(Plan, DefaultIsBridgeAndSpecialModesStandAlone) {
    auto p = plan_networks({}, {}, "", "");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->mode, NetMode::Cni);
    EXPECT_EQ(p->networks, std::vector<std::string>{"bridge"});
    const std::vector<std::string> two{"bridge", "lan"};
    EXPECT_EQ(plan_networks(two, {}, "", "")->networks.size(), 2u);
    const std::vector<std::string> host_and_bridge{"host", "bridge"};
    EXPECT_FALSE(plan_networks(host_and_bridge, {}, "", ""));
    const std::vector<std::string> twice{"lan", "lan"};
    EXPECT_FALSE(plan_networks(twice, {}, "", ""));
    const std::vector<std::string> ctr{"container:web"};
    EXPECT_EQ(plan_networks(ctr, {}, "", "")->container, "web");
    EXPECT_EQ(interface_name(1), "eth1");
}

TEST(Plan, DockerRejectionsNameTheConflict) {
    const std::vector<std::string> pub{"8080:80"};
    for (const char* mode : {"host", "none", "container:web"}) {
        const std::vector<std::string> nets{mode};
        auto p = plan_networks(nets, pub, "", "");
        ASSERT_FALSE(p) << mode;
        EXPECT_NE(p.error().msg.find("conflicting options: port publishing"), std::string::npos)
            << p.error().msg;
        EXPECT_FALSE(plan_networks(nets, {}, "10.0.0.5", "")) << mode;
        EXPECT_FALSE(plan_networks(nets, {}, "", "02:00:00:00:00:01")) << mode;
    }
    auto ok = plan_networks({}, pub, "10.89.0.9", "");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->port_mappings.size(), 1u);
    EXPECT_EQ(ok->ip, "10.89.0.9");
}

}  // namespace
