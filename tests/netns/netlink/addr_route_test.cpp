// Addresses and routes against the real kernel, inside a test netns with a veth pair.
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "fixture.hpp"
#include "netlib/netlink/addr.hpp"
#include "netlib/netlink/route.hpp"
#include "netrun_test/process.hpp"

namespace nltest {
namespace {

namespace ip = netlib::ip;

ip::Net net(const char* text) { return *ip::Net::parse(text); }
ip::Addr addr(const char* text) { return *ip::Addr::parse(text); }

// Everything happens in the container netns: a veth pair (both ends there), both up.
class AddrRoute : public TwoNetns {
protected:
    void SetUp() override {
        NL_OK(nl::create_veth(ctr_sock_, {.name = "eth0", .peer_name = "peer0", .peer_netns_fd = -1, .mtu = {},
                                          .peer_mac = {}, .mac = {}}));
        idx_ = link(ctr_sock_, "eth0").index;
        NL_OK(nl::set_up(ctr_sock_, idx_));
        NL_OK(nl::set_up(ctr_sock_, link(ctr_sock_, "peer0").index));
    }
    std::vector<ip::Net> addrs(int family) { return NL_OK(nl::list_addrs(ctr_sock_, idx_, family)); }
    bool has_addr(const char* text, int family) {
        auto v = addrs(family);
        return std::find(v.begin(), v.end(), net(text)) != v.end();
    }
    std::vector<nl::RouteSpec> routes(int family, std::optional<int> table = {}) {
        return NL_OK(nl::list_routes(ctr_sock_, family, table));
    }
    const nl::RouteSpec* find_route(const std::vector<nl::RouteSpec>& rs, const char* dst) {
        for (const auto& r : rs)
            if (r.dst == net(dst)) return &r;
        return nullptr;
    }
    nl::RouteSpec route(const char* dst, std::optional<ip::Addr> gw = {}) {
        nl::RouteSpec r;
        r.dst = net(dst);
        r.gw = gw;
        r.oif = idx_;
        return r;
    }
    std::string ip_route(const std::vector<std::string>& args) {
        std::vector<std::string> argv = {"ip"};
        argv.insert(argv.end(), args.begin(), args.end());
        auto r = netrun_test::run_in_netns(ctr_ns_.path(), argv);
        EXPECT_TRUE(r.ok()) << r.err;
        return r.out;
    }
    int idx_ = 0;
};

TEST_F(AddrRoute, V4AddListDeleteWithDistinctErrnos) {
    NL_OK(nl::add_addr(ctr_sock_, idx_, net("10.50.0.2/24")));
    NL_OK(nl::add_addr(ctr_sock_, idx_, net("10.51.0.9/32")));
    auto v = addrs(AF_INET);
    ASSERT_EQ(v.size(), 2u);
    EXPECT_EQ(v[0], net("10.50.0.2/24"));
    EXPECT_EQ(v[1], net("10.51.0.9/32"));
    // Broadcast set like `ip addr add ... brd +` (checked with iproute2, not our parser).
    EXPECT_NE(ip_route({"-4", "addr", "show", "dev", "eth0"}).find("brd 10.50.0.255"), std::string::npos);

    auto dup = nl::add_addr(ctr_sock_, idx_, net("10.50.0.2/24"));
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().sys_errno, EEXIST);

    NL_OK(nl::del_addr(ctr_sock_, idx_, net("10.50.0.2/24")));
    EXPECT_FALSE(has_addr("10.50.0.2/24", AF_INET));
    auto gone = nl::del_addr(ctr_sock_, idx_, net("10.50.0.2/24"));
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().sys_errno, EADDRNOTAVAIL);
}

TEST_F(AddrRoute, V6NodadIsUsableAtOnce) {
    NL_OK(nl::add_addr(ctr_sock_, idx_, net("fd00:50::2/64"), {.nodad = true}));
    EXPECT_TRUE(has_addr("fd00:50::2/64", AF_INET6));
    EXPECT_FALSE(has_addr("fd00:50::2/64", AF_INET));  // family filter
    auto shown = ip_route({"-6", "-o", "addr", "show", "dev", "eth0", "to", "fd00:50::2/128"});
    EXPECT_NE(shown.find("fd00:50::2/64"), std::string::npos) << shown;
    EXPECT_NE(shown.find("nodad"), std::string::npos) << shown;
    EXPECT_EQ(shown.find("tentative"), std::string::npos) << shown;
    NL_OK(nl::del_addr(ctr_sock_, idx_, net("fd00:50::2/64")));
    EXPECT_FALSE(has_addr("fd00:50::2/64", AF_INET6));
}

TEST_F(AddrRoute, AddressesOfOtherLinksAreNotListed) {
    NL_OK(nl::add_addr(ctr_sock_, link(ctr_sock_, "peer0").index, net("10.52.0.1/24")));
    EXPECT_TRUE(addrs(AF_INET).empty());
}

TEST_F(AddrRoute, GatewayRouteAddReplaceDelete) {
    NL_OK(nl::add_addr(ctr_sock_, idx_, net("10.50.0.2/24")));
    NL_OK(nl::add_route(ctr_sock_, route("10.60.0.0/16", addr("10.50.0.1"))));
    auto rs = routes(AF_INET);
    auto* r = find_route(rs, "10.60.0.0/16");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->gw, addr("10.50.0.1"));
    EXPECT_EQ(r->oif, idx_);
    EXPECT_EQ(r->scope, RT_SCOPE_UNIVERSE);

    auto dup = nl::add_route(ctr_sock_, route("10.60.0.0/16", addr("10.50.0.1")));
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().sys_errno, EEXIST);

    NL_OK(nl::replace_route(ctr_sock_, route("10.60.0.0/16", addr("10.50.0.3"))));
    rs = routes(AF_INET);
    EXPECT_EQ(std::count_if(rs.begin(), rs.end(), [](const auto& x) { return x.dst == net("10.60.0.0/16"); }), 1);
    EXPECT_EQ(find_route(rs, "10.60.0.0/16")->gw, addr("10.50.0.3"));

    NL_OK(nl::del_route(ctr_sock_, route("10.60.0.0/16", addr("10.50.0.3"))));
    EXPECT_FALSE(find_route(routes(AF_INET), "10.60.0.0/16"));
    auto gone = nl::del_route(ctr_sock_, route("10.60.0.0/16", addr("10.50.0.3")));
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().sys_errno, ESRCH);
}

TEST_F(AddrRoute, DefaultRouteAndLinkScopeRoute) {
    NL_OK(nl::add_addr(ctr_sock_, idx_, net("10.50.0.2/24")));
    NL_OK(nl::add_route(ctr_sock_, route("0.0.0.0/0", addr("10.50.0.1"))));
    NL_OK(nl::add_route(ctr_sock_, route("10.70.0.0/24")));
    auto rs = routes(AF_INET);
    ASSERT_TRUE(find_route(rs, "0.0.0.0/0"));
    EXPECT_EQ(find_route(rs, "0.0.0.0/0")->gw, addr("10.50.0.1"));
    ASSERT_TRUE(find_route(rs, "10.70.0.0/24"));
    EXPECT_EQ(find_route(rs, "10.70.0.0/24")->scope, RT_SCOPE_LINK);
    EXPECT_FALSE(find_route(rs, "10.70.0.0/24")->gw);
    EXPECT_NE(ip_route({"-4", "route", "show", "default"}).find("default via 10.50.0.1 dev eth0"), std::string::npos);
}

TEST_F(AddrRoute, KernelMadeRoutesCanBeDeleted) {
    // The connected route is proto kernel, scope link: a delete must not insist on our defaults.
    NL_OK(nl::add_addr(ctr_sock_, idx_, net("10.50.0.2/24")));
    ASSERT_TRUE(find_route(routes(AF_INET), "10.50.0.0/24"));
    NL_OK(nl::del_route(ctr_sock_, route("10.50.0.0/24")));
    EXPECT_FALSE(find_route(routes(AF_INET), "10.50.0.0/24"));
}

TEST_F(AddrRoute, TablesMetricsAndPreferredSource) {
    NL_OK(nl::add_addr(ctr_sock_, idx_, net("10.50.0.2/24")));
    auto r = route("10.80.0.0/24", addr("10.50.0.1"));
    r.table = 100;
    r.mtu = 1300;
    r.advmss = 1260;
    r.priority = 7;
    r.src = addr("10.50.0.2");
    NL_OK(nl::add_route(ctr_sock_, r));
    EXPECT_FALSE(find_route(routes(AF_INET), "10.80.0.0/24"));  // main table untouched
    auto in100 = routes(AF_INET, 100);
    auto* got = find_route(in100, "10.80.0.0/24");
    ASSERT_TRUE(got);
    EXPECT_EQ(got->table, 100);
    EXPECT_EQ(got->priority, 7);
    EXPECT_EQ(got->src, addr("10.50.0.2"));
    auto shown = ip_route({"-4", "route", "show", "table", "100"});
    for (const char* want : {"mtu 1300", "advmss 1260", "metric 7", "src 10.50.0.2"})
        EXPECT_NE(shown.find(want), std::string::npos) << want << " in: " << shown;

    r.table = 1000;  // beyond rtm_table's 8 bits
    NL_OK(nl::add_route(ctr_sock_, r));
    EXPECT_TRUE(find_route(routes(AF_INET, 1000), "10.80.0.0/24"));
    NL_OK(nl::del_route(ctr_sock_, r));
    EXPECT_FALSE(find_route(routes(AF_INET, 1000), "10.80.0.0/24"));
}

TEST_F(AddrRoute, V6Routes) {
    NL_OK(nl::add_addr(ctr_sock_, idx_, net("fd00:50::2/64"), {.nodad = true}));
    NL_OK(nl::add_route(ctr_sock_, route("fd00:60::/64", addr("fd00:50::1"))));
    auto rs = routes(AF_INET6);
    auto* r = find_route(rs, "fd00:60::/64");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->gw, addr("fd00:50::1"));
    auto dup = nl::add_route(ctr_sock_, route("fd00:60::/64", addr("fd00:50::1")));
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().sys_errno, EEXIST);
    NL_OK(nl::del_route(ctr_sock_, route("fd00:60::/64", addr("fd00:50::1"))));
    EXPECT_FALSE(find_route(routes(AF_INET6), "fd00:60::/64"));
}

}  // namespace
}  // namespace nltest
