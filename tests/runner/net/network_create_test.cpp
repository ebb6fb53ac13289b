// `netrun network create` rules and conflists, and the catalog's subnet reading (no root).
#include "net/network_create.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <vector>

namespace nr = netrun::net;
namespace ip = netlib::ip;
using nlohmann::json;

namespace {

netlib::Expected<nr::CreateRequest> parse(std::vector<std::string_view> args) {
    return nr::parse_create_args(args);
}

nr::NetworkEntry configured(const std::string& doc, const std::string& source) {
    auto list = netlib::cni::parse_conflist(doc);
    EXPECT_TRUE(list) << list.error().msg;
    list->source = source;
    return {.name = list->name,
            .driver = list->plugins[0]["type"],
            .subnets = nr::conflist_subnets(list->plugins),
            .source = source,
            .config = *list};
}

// The default bridge (10.89.0.0/16) and a user network on 10.90.0.0/24 with bridge nr-frontendxx.
nr::Catalog existing() {
    nr::Catalog c;
    auto bridge = configured(
        R"({"cniVersion":"1.1.0","name":"netrun","plugins":[{"type":"bridge","bridge":"netrun0",
        "ipam":{"type":"host-local","ranges":[[{"subnet":"10.89.0.0/16"}]]}}]})",
        "/conf/netrun-bridge.conflist");
    bridge.name = "bridge";
    c.networks.push_back(bridge);
    c.networks.push_back(
        {.name = "host", .driver = "host", .subnets = {}, .source = {}, .config = std::nullopt});
    c.networks.push_back(
        configured(R"({"cniVersion":"1.1.0","name":"frontendxxyy","plugins":[{"type":"bridge",
        "bridge":"nr-frontendxx","ipam":{"type":"host-local","subnet":"10.90.0.0/24"}}]})",
                   "/etc/cni/net.d/f.conflist"));
    return c;
}

nr::ParentLookup parent_with(const char* addr) {
    return [addr](std::string_view name) -> netlib::Expected<nr::ParentLink> {
        if (name == "missing0")
            return netlib::fail(netlib::Code::InvalidConfig,
                                "parent interface \"missing0\" does not exist");
        nr::ParentLink p{.name = name.empty() ? "eth0" : std::string(name),
                         .address = std::nullopt,
                         .gateway = std::nullopt};
        if (addr) p.address = ip::Net::parse(addr);
        return p;
    };
}

json plan(std::vector<std::string_view> args, const char* parent_addr = nullptr) {
    auto r = parse(std::move(args));
    EXPECT_TRUE(r) << r.error().msg;
    auto c = nr::plan_network(*r, existing(), parent_with(parent_addr));
    EXPECT_TRUE(c) << c.error().msg;
    return c ? *c : json();
}

std::string plan_error(std::vector<std::string_view> args, const char* parent_addr = nullptr) {
    auto r = parse(std::move(args));
    EXPECT_TRUE(r) << r.error().msg;
    auto c = nr::plan_network(*r, existing(), parent_with(parent_addr));
    EXPECT_FALSE(c) << c->dump();
    if (c) return {};
    EXPECT_EQ(c.error().code, 7);
    return c.error().msg;
}

}  // namespace

TEST(NetworkCreateArgs, OptionsAndUsageErrors) {
    auto r = parse({"-d", "macvlan", "--subnet", "192.168.5.0/24", "--gateway=192.168.5.1",
                    "--ip-range", "192.168.5.128/25", "-o", "parent=eth1", "-o",
                    "macvlan_mode=vepa", "--internal", "lan"});
    ASSERT_TRUE(r) << r.error().msg;
    EXPECT_EQ(r->driver, "macvlan");
    EXPECT_EQ(r->subnet->str(), "192.168.5.0/24");
    EXPECT_EQ(r->gateway->str(), "192.168.5.1");
    EXPECT_EQ(r->ip_range->str(), "192.168.5.128/25");
    EXPECT_EQ(r->parent, "eth1");
    EXPECT_EQ(r->mode, "vepa");
    EXPECT_TRUE(r->internal);
    EXPECT_EQ(r->name, "lan");
    EXPECT_TRUE(parse({"--help"})->help);
    for (std::vector<std::string_view> bad :
         std::vector<std::vector<std::string_view>>{{},
                                                    {"a", "b"},
                                                    {"-d", "overlay", "n"},
                                                    {"--subnet", "10.1.0.1/24", "n"},
                                                    {"--subnet", "nope", "n"},
                                                    {"--gateway", "10.1.0.1", "n"},
                                                    {"-o", "foo=1", "n"},
                                                    {"-o", "parent", "n"},
                                                    {"--bogus", "n"}}) {
        EXPECT_FALSE(parse(bad)) << (bad.empty() ? "(none)" : bad.back());
    }
}

TEST(NetworkCreate, PickFreeSubnetSkipsUsedAndOverlapping) {
    std::vector<ip::Net> used{*ip::Net::parse("10.90.0.0/24"), *ip::Net::parse("10.90.1.128/25"),
                              *ip::Net::parse("10.89.0.0/16")};
    EXPECT_EQ(nr::pick_free_subnet(used)->str(), "10.90.2.0/24");
    EXPECT_EQ(nr::pick_free_subnet({})->str(), "10.90.0.0/24");
    std::vector<ip::Net> all{*ip::Net::parse("10.90.0.0/16")};
    EXPECT_FALSE(nr::pick_free_subnet(all));
}

TEST(NetworkCreate, BridgeDefaults) {
    json c = plan({"web"});
    EXPECT_EQ(c["cniVersion"], "1.1.0");
    EXPECT_EQ(c["cniVersions"], (json{"1.1.0", "1.0.0"}));
    EXPECT_EQ(c["name"], "web");
    ASSERT_EQ(c["plugins"].size(), 2u);
    const json& b = c["plugins"][0];
    EXPECT_EQ(b["type"], "bridge");
    EXPECT_EQ(b["bridge"], "nr-web");
    EXPECT_EQ(b["isGateway"], true);
    EXPECT_EQ(b["ipMasq"], true);
    EXPECT_EQ(b["hairpinMode"], true);
    EXPECT_EQ(b["ipam"]["ranges"],
              json::parse(R"([[{"subnet":"10.90.1.0/24"}]])"));  // 10.90.0.0/24 is taken
    EXPECT_EQ(b["ipam"]["routes"], json::parse(R"([{"dst":"0.0.0.0/0"}])"));
    EXPECT_EQ(c["plugins"][1]["type"], "portmap");
    EXPECT_EQ(c["plugins"][1]["capabilities"], (json{{"portMappings", true}}));
    // The generated list is one netlib accepts.
    EXPECT_TRUE(netlib::cni::parse_conflist(c.dump()));
}

TEST(NetworkCreate, BridgeInternalGatewayAndIpRange) {
    json c = plan({"--internal", "--subnet", "10.95.0.0/24", "--gateway", "10.95.0.254",
                   "--ip-range", "10.95.0.128/25", "db"});
    const json& b = c["plugins"][0];
    EXPECT_EQ(b["ipMasq"], false);
    EXPECT_FALSE(b["ipam"].contains("routes"));
    EXPECT_EQ(b["ipam"]["ranges"],
              json::parse(R"([[{"subnet":"10.95.0.0/24","gateway":"10.95.0.254",
        "rangeStart":"10.95.0.128","rangeEnd":"10.95.0.254"}]])"));
}

TEST(NetworkCreate, BridgeNameIsTheFirstTenCharacters) {
    EXPECT_EQ(nr::bridge_name_for("averyveryverylongname"), "nr-averyveryv");
    EXPECT_NE(plan_error({"frontendxxzz"})
                  .find("bridge nr-frontendxx is already used by network frontendxxyy"),
              std::string::npos);
}

TEST(NetworkCreate, RefusedNames) {
    for (const char* n :
         {"bridge", "host", "none", "macvlan", "ipvlan", "default", "container:web"})
        EXPECT_NE(plan_error({n}).find("reserved"), std::string::npos) << n;
    EXPECT_NE(plan_error({"_bad"}).find("invalid network name"), std::string::npos);
    EXPECT_NE(plan_error({"a/b"}).find("invalid network name"), std::string::npos);
    EXPECT_NE(plan_error({"frontendxxyy"}).find("already exists (/etc/cni/net.d/f.conflist)"),
              std::string::npos);
    // The default bridge answers to its conflist name too.
    EXPECT_NE(plan_error({"netrun"}).find("already exists"), std::string::npos);
}

TEST(NetworkCreate, OverlappingAndBadAddressing) {
    EXPECT_NE(plan_error({"--subnet", "10.90.0.128/25", "x"})
                  .find("overlaps 10.90.0.0/24 of network frontendxxyy"),
              std::string::npos);
    EXPECT_NE(
        plan_error({"--subnet", "10.0.0.0/8", "x"}).find("overlaps 10.89.0.0/16 of network bridge"),
        std::string::npos);
    EXPECT_NE(plan_error({"--subnet", "10.91.0.0/24", "--gateway", "10.92.0.1", "x"})
                  .find("not a host address"),
              std::string::npos);
    EXPECT_NE(plan_error({"--subnet", "10.91.0.0/24", "--gateway", "10.91.0.255", "x"})
                  .find("not a host address"),
              std::string::npos);
    EXPECT_NE(plan_error({"--subnet", "10.91.0.0/24", "--ip-range", "10.92.0.0/25", "x"})
                  .find("not inside"),
              std::string::npos);
    EXPECT_NE(plan_error({"--subnet", "10.91.0.0/31", "x"}).find("too small"), std::string::npos);
    EXPECT_NE(plan_error({"-o", "parent=eth0", "x"}).find("macvlan and ipvlan"), std::string::npos);
}

TEST(NetworkCreate, MacvlanOnTheParentsLanSkipsTheHostAddress) {
    json c =
        plan({"-d", "macvlan", "--subnet", "192.168.5.0/24", "--gateway", "192.168.5.1", "lan"},
             "192.168.5.10/24");
    ASSERT_EQ(c["plugins"].size(), 1u);
    const json& p = c["plugins"][0];
    EXPECT_EQ(p["type"], "macvlan");
    EXPECT_EQ(p["master"], "eth0");  // the default route's interface
    EXPECT_EQ(p["mode"], "bridge");
    EXPECT_EQ(p["capabilities"], (json{{"ips", true}, {"mac", true}}));
    EXPECT_EQ(p["ipam"]["ranges"], json::parse(R"([[
        {"subnet":"192.168.5.0/24","gateway":"192.168.5.1","rangeStart":"192.168.5.2","rangeEnd":"192.168.5.9"},
        {"subnet":"192.168.5.0/24","gateway":"192.168.5.1","rangeStart":"192.168.5.11","rangeEnd":"192.168.5.254"}]])"));
    EXPECT_TRUE(netlib::cni::parse_conflist(c.dump()));
}

TEST(NetworkCreate, IpvlanModesAndParents) {
    json c = plan({"-d", "ipvlan", "--subnet", "192.168.6.0/24", "-o", "parent=eth2", "-o",
                   "mode=l3", "l3net"});
    const json& p = c["plugins"][0];
    EXPECT_EQ(p["master"], "eth2");
    EXPECT_EQ(p["mode"], "l3");
    EXPECT_EQ(p["capabilities"], (json{{"ips", true}}));
    EXPECT_EQ(p["ipam"]["ranges"], json::parse(R"([[{"subnet":"192.168.6.0/24"}]])"));
    EXPECT_NE(plan_error({"-d", "ipvlan", "--subnet", "192.168.6.0/24", "-o", "mode=vepa", "x"})
                  .find("unknown ipvlan mode"),
              std::string::npos);
    EXPECT_NE(plan_error({"-d", "macvlan", "x"}).find("needs --subnet"), std::string::npos);
    EXPECT_NE(
        plan_error({"-d", "macvlan", "--subnet", "192.168.7.0/24", "-o", "parent=missing0", "x"})
            .find("does not exist"),
        std::string::npos);
}

TEST(NetworkCatalog, SubnetsOfEveryPluginAndReservedNames) {
    std::vector<json> plugins{
        json::parse(R"({"type":"bridge","ipam":{"type":"host-local","subnet":"10.1.0.0/24",
            "ranges":[[{"subnet":"10.2.0.0/24"},{"subnet":"10.2.0.0/24"}],[{"subnet":"fd00::/64"}]]}})"),
        json::parse(
            R"({"type":"macvlan","ipam":{"type":"static","addresses":[{"address":"10.3.0.5/24"}]}})"),
        json::parse(R"({"type":"portmap"})")};
    std::vector<std::string> got;
    for (const auto& s : nr::conflist_subnets(plugins)) got.push_back(s.str());
    EXPECT_EQ(got,
              (std::vector<std::string>{"10.1.0.0/24", "10.2.0.0/24", "fd00::/64", "10.3.0.0/24"}));
    EXPECT_TRUE(nr::is_reserved_network_name("container:x"));
    EXPECT_FALSE(nr::is_reserved_network_name("web"));
}

TEST(NetworkCatalog, FirstDirWinsAndTheDefaultNetworkIsBridge) {
    const std::string root = ::testing::TempDir() + "netrun-catalog-test";
    std::filesystem::remove_all(root);
    std::filesystem::create_directories(root + "/user");
    std::filesystem::create_directories(root + "/conf");
    auto write = [](const std::string& path, const std::string& doc) {
        std::ofstream(path) << doc;
    };
    const std::string net = R"({"cniVersion":"1.1.0","name":"NAME","plugins":[{"type":"TYPE",
        "ipam":{"type":"host-local","subnet":"SUBNET"}}]})";
    auto doc = [&](std::string name, std::string type, std::string subnet) {
        std::string d = net;
        d.replace(d.find("NAME"), 4, name);
        d.replace(d.find("TYPE"), 4, type);
        d.replace(d.find("SUBNET"), 6, subnet);
        return d;
    };
    write(root + "/user/a.conflist", doc("shared", "macvlan", "10.7.0.0/24"));
    write(root + "/user/broken.conflist", "{");
    write(root + "/conf/a.conflist", doc("shared", "bridge", "10.8.0.0/24"));
    write(root + "/conf/b.conflist", doc("netrun", "bridge", "10.89.0.0/16"));
    const std::vector<std::string> dirs{root + "/user", root + "/conf"};
    nr::Catalog c = nr::load_catalog(dirs);
    std::vector<std::string> names;
    for (const auto& n : c.networks) names.push_back(n.name);
    EXPECT_EQ(names, (std::vector<std::string>{"bridge", "host", "none", "shared"}));
    const auto* shared = nr::find_network(c, "shared");
    ASSERT_NE(shared, nullptr);
    EXPECT_EQ(shared->driver, "macvlan");
    EXPECT_EQ(shared->source, root + "/user/a.conflist");
    EXPECT_EQ(nr::find_network(c, "netrun"), nr::find_network(c, "bridge"));
    EXPECT_EQ(nr::find_network(c, "bridge")->subnets.at(0).str(), "10.89.0.0/16");
    ASSERT_EQ(c.skipped.size(), 1u);
    EXPECT_NE(c.skipped[0].find("broken.conflist"), std::string::npos);
    std::filesystem::remove_all(root);
}
