// host-local and static configuration: sources of ranges and requested addresses, routes,
// dns, resolv.conf, and the static plugin's address precedence.
#include <gtest/gtest.h>

#include "ipam/host_local_config.hpp"
#include "ipam/resolv_conf.hpp"
#include "ipam/static_config.hpp"

using namespace ipam;
using nlohmann::json;
namespace cni = netlib::cni;

namespace {

cni::Request request(const char* config,
                     std::vector<std::pair<std::string, std::string>> args = {}) {
    cni::Request r;
    r.config = json::parse(config);
    r.name = r.config.value("name", "net1");
    r.args = std::move(args);
    return r;
}

std::vector<std::string> strs(const std::vector<ip::Addr>& v) {
    std::vector<std::string> out;
    for (const auto& a : v) out.push_back(a.str());
    return out;
}

using V = std::vector<std::string>;

TEST(HostLocalConfig, DefaultsAndRoutes) {
    auto c = load_host_local_config(request(R"({"name":"n","ipam":{"type":"host-local",
        "ranges":[[{"subnet":"10.0.0.0/24"}]],
        "routes":[{"dst":"0.0.0.0/0"},{"dst":"192.168.7.9/16","gw":"10.0.0.254"}]}})"));
    ASSERT_TRUE(c) << c.error().msg;
    EXPECT_EQ(c->store.data_dir, "/var/lib/cni/networks");
    EXPECT_EQ(c->store.network, "n");
    ASSERT_EQ(c->routes.size(), 2u);
    EXPECT_EQ(c->routes[1].dst.str(), "192.168.0.0/16");
    EXPECT_EQ(c->routes[1].gw->str(), "10.0.0.254");
    EXPECT_TRUE(c->requested.empty());
    EXPECT_TRUE(c->resolv_conf.empty());
}

TEST(HostLocalConfig, LegacyRangeComesBeforeRangesAndIpRangesBeforeBoth) {
    auto c = load_host_local_config(request(R"({"name":"n",
        "runtimeConfig":{"ipRanges":[[{"subnet":"10.3.0.0/24"}]]},
        "ipam":{"subnet":"10.1.0.0/24","rangeStart":"10.1.0.10","gateway":"10.1.0.254","dataDir":"/tmp/x",
                "ranges":[[{"subnet":"10.2.0.0/24"}]]}})"));
    ASSERT_TRUE(c) << c.error().msg;
    ASSERT_EQ(c->ranges.size(), 3u);
    EXPECT_EQ(c->ranges[0].str(), "10.3.0.1-10.3.0.254");
    EXPECT_EQ(c->ranges[1].str(), "10.1.0.10-10.1.0.254");
    EXPECT_EQ(c->ranges[1].ranges[0].gateway.str(), "10.1.0.254");
    EXPECT_EQ(c->ranges[2].str(), "10.2.0.1-10.2.0.254");
    EXPECT_EQ(c->store.data_dir, "/tmp/x");
}

TEST(HostLocalConfig, RequestedAddressesMergedInOrderWithoutDuplicates) {
    auto c = load_host_local_config(request(R"({"name":"n",
        "args":{"cni":{"ips":["10.0.0.7/24","2001:db8::7"]}},
        "runtimeConfig":{"ips":["10.0.0.5","10.0.0.8/24"]},
        "ipam":{"ranges":[[{"subnet":"10.0.0.0/24"}]]}})",
                                            {{"IP", "10.0.0.5, 10.0.0.6"}}));
    ASSERT_TRUE(c) << c.error().msg;
    EXPECT_EQ(strs(c->requested),
              (V{"10.0.0.5", "10.0.0.6", "10.0.0.7", "2001:db8::7", "10.0.0.8"}));
}

struct BadCase {
    const char* name;
    const char* config;
    std::vector<std::pair<std::string, std::string>> args;
    const char* error;
};

const BadCase kBad[] = {
    {"no_ipam", R"({"name":"n"})", {}, "IPAM config missing 'ipam' key"},
    {"ipam_not_object", R"({"name":"n","ipam":"host-local"})", {}, "\"ipam\" must be an object"},
    {"no_ranges", R"({"name":"n","ipam":{"type":"host-local"}})", {}, "no IP ranges specified"},
    {"bad_cni_args_ip",
     R"({"name":"n","ipam":{"subnet":"10.0.0.0/24"}})",
     {{"IP", "10.0.0.300"}},
     "requested IP \"10.0.0.300\" in CNI_ARGS IP is not an IP address"},
    {"bad_args_ips",
     R"({"name":"n","args":{"cni":{"ips":[5]}},"ipam":{"subnet":"10.0.0.0/24"}})",
     {},
     "args.cni.ips must be a list of IP strings"},
    {"bad_runtime_ips",
     R"({"name":"n","runtimeConfig":{"ips":"10.0.0.5"},"ipam":{"subnet":"10.0.0.0/24"}})",
     {},
     "runtimeConfig.ips must be a list"},
    {"route_no_dst",
     R"({"name":"n","ipam":{"subnet":"10.0.0.0/24","routes":[{"gw":"10.0.0.1"}]}})",
     {},
     "ipam.routes[0].dst must be a CIDR"},
    {"route_bad_gw",
     R"({"name":"n","ipam":{"subnet":"10.0.0.0/24","routes":[{"dst":"0.0.0.0/0","gw":"x"}]}})",
     {},
     "ipam.routes[0].gw must be an IP address"},
    {"route_family_mix",
     R"({"name":"n","ipam":{"subnet":"10.0.0.0/24","routes":[{"dst":"::/0","gw":"10.0.0.1"}]}})",
     {},
     "different address families"},
    {"data_dir_type",
     R"({"name":"n","ipam":{"subnet":"10.0.0.0/24","dataDir":7}})",
     {},
     "\"dataDir\" must be a string"},
    {"legacy_range_invalid",
     R"({"name":"n","ipam":{"subnet":"10.0.0.0/31"}})",
     {},
     "ipam: Network 10.0.0.0/31 too small"},
    {"legacy_overlaps_ranges",
     R"({"name":"n","ipam":{"subnet":"10.0.0.0/24","ranges":[[{"subnet":"10.0.0.0/25"}]]}})",
     {},
     "range set 0 (10.0.0.1-10.0.0.254) overlaps with range set 1"},
};

class HostLocalBad : public ::testing::TestWithParam<BadCase> {};

TEST_P(HostLocalBad, Refused) {
    const auto& c = GetParam();
    auto r = load_host_local_config(request(c.config, c.args));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, 7);
    EXPECT_NE(r.error().msg.find(c.error), std::string::npos) << r.error().msg;
}

INSTANTIATE_TEST_SUITE_P(Table, HostLocalBad, ::testing::ValuesIn(kBad),
                         [](const auto& p) { return std::string(p.param.name); });

TEST(HostLocalConfig, StoreConfigIgnoresBrokenRanges) {
    auto s = load_store_config(
        request(R"({"name":"n","ipam":{"subnet":"10.0.0.0/31","dataDir":"/tmp/d"}})"));
    ASSERT_TRUE(s) << s.error().msg;
    EXPECT_EQ(s->data_dir, "/tmp/d");
    EXPECT_EQ(s->network, "n");
}

TEST(ResolvConf, ParsesLikeTheReference) {
    auto d = parse_resolv_conf(
        "# comment\n; other comment\nnameserver 10.0.0.53\nnameserver  2001:db8::53 \n"
        "domain example.com\nsearch a.example b.example\noptions ndots:2 edns0\nsortlist "
        "x\nnameserver\n"
        "\tsearch c.example\r\n");
    EXPECT_EQ(d.nameservers, (V{"10.0.0.53", "2001:db8::53"}));
    EXPECT_EQ(d.domain, "example.com");
    EXPECT_EQ(d.search, (V{"a.example", "b.example", "c.example"}));
    EXPECT_EQ(d.options, (V{"ndots:2", "edns0"}));
}

TEST(ResolvConf, MissingFileIsAnErrorNamingTheKey) {
    auto d = load_resolv_conf("/nonexistent/resolv.conf");
    ASSERT_FALSE(d);
    EXPECT_NE(d.error().msg.find("ipam.resolvConf"), std::string::npos);
    EXPECT_NE(d.error().msg.find("/nonexistent/resolv.conf"), std::string::npos);
}

std::vector<std::string> addrs(const StaticConfig& c) {
    std::vector<std::string> out;
    for (const auto& a : c.addresses)
        out.push_back(a.address.str() + (a.gateway ? " gw " + a.gateway->str() : ""));
    return out;
}

TEST(StaticConfig, AddressesRoutesDns) {
    auto c = load_static_config(request(R"({"name":"n","ipam":{"type":"static",
        "addresses":[{"address":"10.10.0.1/24","gateway":"10.10.0.254"},{"address":"3ffe:ffff:0:1::1/64"}],
        "routes":[{"dst":"0.0.0.0/0"}],
        "dns":{"nameservers":["8.8.8.8"],"domain":"example.com","search":["example.com"]}}})"));
    ASSERT_TRUE(c) << c.error().msg;
    EXPECT_EQ(addrs(*c), (V{"10.10.0.1/24 gw 10.10.0.254", "3ffe:ffff:0:1::1/64"}));
    EXPECT_EQ(c->routes.size(), 1u);
    EXPECT_EQ(c->dns.nameservers, V{"8.8.8.8"});
    EXPECT_EQ(c->dns.domain, "example.com");
}

TEST(StaticConfig, CniArgsAppendAndGatewayGoesToContainingAddress) {
    auto c = load_static_config(
        request(R"({"name":"n","ipam":{"addresses":[{"address":"10.10.0.1/24"}]}})",
                {{"IP", "10.20.0.5/16,2001:db8::5/64"}, {"GATEWAY", "10.20.0.1, 2001:db8::1"}}));
    ASSERT_TRUE(c) << c.error().msg;
    EXPECT_EQ(addrs(*c),
              (V{"10.10.0.1/24", "10.20.0.5/16 gw 10.20.0.1", "2001:db8::5/64 gw 2001:db8::1"}));
}

TEST(StaticConfig, RuntimeConfigBeatsArgsBeatsCniArgs) {
    const char* both = R"({"name":"n","args":{"cni":{"ips":["10.30.0.5/24"]}},
        "runtimeConfig":{"ips":["10.40.0.5/24"]},"ipam":{"addresses":[{"address":"10.10.0.1/24"}]}})";
    auto c = load_static_config(request(both, {{"IP", "10.20.0.5/16"}}));
    ASSERT_TRUE(c) << c.error().msg;
    EXPECT_EQ(addrs(*c), V{"10.40.0.5/24"});
    const char* args_only = R"({"name":"n","args":{"cni":{"ips":["10.30.0.5/24"]}},
        "ipam":{"addresses":[{"address":"10.10.0.1/24"}]}})";
    c = load_static_config(request(args_only, {{"IP", "10.20.0.5/16"}}));
    ASSERT_TRUE(c) << c.error().msg;
    EXPECT_EQ(addrs(*c), V{"10.30.0.5/24"});
}

const BadCase kStaticBad[] = {
    {"address_not_cidr",
     R"({"name":"n","ipam":{"addresses":[{"address":"10.10.0.1"}]}})",
     {},
     "ipam.addresses[0]: address must be in CIDR notation"},
    {"address_missing",
     R"({"name":"n","ipam":{"addresses":[{"gateway":"10.10.0.1"}]}})",
     {},
     "must be an object with an \"address\""},
    {"gateway_bad",
     R"({"name":"n","ipam":{"addresses":[{"address":"10.10.0.1/24","gateway":"x"}]}})",
     {},
     "ipam.addresses[0].gateway must be an IP address"},
    {"gateway_family",
     R"({"name":"n","ipam":{"addresses":[{"address":"10.10.0.1/24","gateway":"::1"}]}})",
     {},
     "different address families"},
    {"cni_args_ip",
     R"({"name":"n","ipam":{}})",
     {{"IP", "10.1.1.1"}},
     "CNI_ARGS IP: address must be in CIDR"},
    {"cni_args_gateway_bad",
     R"({"name":"n","ipam":{}})",
     {{"IP", "10.1.1.1/24"}, {"GATEWAY", "10.1.1"}},
     "CNI_ARGS GATEWAY: invalid gateway address"},
    {"cni_args_gateway_unmatched",
     R"({"name":"n","ipam":{}})",
     {{"IP", "10.1.1.1/24"}, {"GATEWAY", "10.2.0.1"}},
     "10.2.0.1 is not in the subnet of any configured address"},
    {"runtime_ips_not_cidr",
     R"({"name":"n","runtimeConfig":{"ips":["10.0.0.1"]},"ipam":{}})",
     {},
     "runtimeConfig.ips: address must be in CIDR notation"},
    {"dns_not_object",
     R"({"name":"n","ipam":{"dns":["8.8.8.8"]}})",
     {},
     "ipam.dns must be an object"},
    {"dns_bad_list",
     R"({"name":"n","ipam":{"dns":{"nameservers":"8.8.8.8"}}})",
     {},
     "ipam.dns.nameservers must be a list of strings"},
};

class StaticBad : public ::testing::TestWithParam<BadCase> {};

TEST_P(StaticBad, Refused) {
    const auto& c = GetParam();
    auto r = load_static_config(request(c.config, c.args));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, 7);
    EXPECT_NE(r.error().msg.find(c.error), std::string::npos) << r.error().msg;
}

INSTANTIATE_TEST_SUITE_P(Table, StaticBad, ::testing::ValuesIn(kStaticBad),
                         [](const auto& p) { return std::string(p.param.name); });

}  // namespace
