// Message bytes as the kernel will parse them: walk the built nlmsghdr with libmnl and check
// every attribute, its nesting and its payload.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include <map>
#include <vector>

#include "netlib/netlink/addr.hpp"
#include "netlib/netlink/link.hpp"
#include "netlib/netlink/route.hpp"

namespace nl = netlib::netlink;
namespace ip = netlib::ip;

namespace {

using Attrs = std::map<std::uint16_t, const nlattr*>;

int collect(const nlattr* a, void* data) {
    auto* out = static_cast<Attrs*>(data);
    EXPECT_FALSE(out->contains(mnl_attr_get_type(a))) << "duplicate attribute " << mnl_attr_get_type(a);
    (*out)[mnl_attr_get_type(a)] = a;
    return MNL_CB_OK;
}

// Top-level attributes after the family header of type T; also checks the lengths add up.
// The pointers point into `m`: keep the message alive while using them.
template <class T>
Attrs top(const nl::Message& m) {
    Attrs out;
    EXPECT_EQ(mnl_attr_parse(m.hdr(), sizeof(T), collect, &out), MNL_CB_OK);
    return out;
}

Attrs nested(const nlattr* a) {
    Attrs out;
    EXPECT_NE(a->nla_type & NLA_F_NESTED, 0) << "nest without NLA_F_NESTED";
    EXPECT_EQ(mnl_attr_parse_nested(a, collect, &out), MNL_CB_OK);
    return out;
}

std::string str(const nlattr* a) { return a ? mnl_attr_get_str(a) : "<missing>"; }
std::uint32_t u32(const nlattr* a) { return a ? mnl_attr_get_u32(a) : 0xdeadbeef; }
std::vector<std::uint8_t> bytes(const nlattr* a) {
    const auto* p = static_cast<const std::uint8_t*>(mnl_attr_get_payload(a));
    return {p, p + mnl_attr_get_payload_len(a)};
}
std::vector<std::uint8_t> addr_bytes(const char* text) {
    auto a = ip::Addr::parse(text);
    EXPECT_TRUE(a) << text;
    auto b = a->bytes();
    return {b.begin(), b.end()};
}

template <class T>
const T* family_header(const nl::Message& m) {
    return static_cast<const T*>(mnl_nlmsg_get_payload(m.hdr()));
}

constexpr std::uint16_t kCreate = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;

TEST(LinkMessage, Bridge) {
    auto m = nl::bridge_message({.name = "cni0", .mtu = 1400, .mac = "02:00:00:00:00:01"});
    EXPECT_TRUE(m.problem().empty());
    EXPECT_EQ(m.hdr()->nlmsg_type, RTM_NEWLINK);
    EXPECT_EQ(m.hdr()->nlmsg_flags, kCreate);
    EXPECT_EQ(family_header<ifinfomsg>(m)->ifi_index, 0);
    auto a = top<ifinfomsg>(m);
    EXPECT_EQ(a.size(), 4u);
    EXPECT_EQ(str(a[IFLA_IFNAME]), "cni0");
    EXPECT_EQ(u32(a[IFLA_MTU]), 1400u);
    EXPECT_EQ(bytes(a[IFLA_ADDRESS]), (std::vector<std::uint8_t>{2, 0, 0, 0, 0, 1}));
    auto info = nested(a[IFLA_LINKINFO]);
    EXPECT_EQ(str(info[IFLA_INFO_KIND]), "bridge");
}

TEST(LinkMessage, BridgeWithoutOptionalsHasOnlyNameAndKind) {
    auto m = nl::bridge_message({.name = "br0", .mtu = {}, .mac = {}});
    auto a = top<ifinfomsg>(m);
    EXPECT_EQ(a.size(), 2u);
    EXPECT_TRUE(a.contains(IFLA_IFNAME));
    EXPECT_TRUE(a.contains(IFLA_LINKINFO));
}

TEST(LinkMessage, VethPeerCarriesItsOwnHeaderAndNetnsFd) {
    auto m = nl::veth_message({.name = "veth1a2b3c4d",
                               .peer_name = "eth0",
                               .peer_netns_fd = 7,
                               .mtu = 9000,
                               .peer_mac = "0a:58:0a:00:00:02",
                               .mac = {}});
    ASSERT_TRUE(m.problem().empty()) << m.problem();
    EXPECT_EQ(m.hdr()->nlmsg_flags, kCreate);
    auto a = top<ifinfomsg>(m);
    EXPECT_EQ(str(a[IFLA_IFNAME]), "veth1a2b3c4d");
    EXPECT_EQ(u32(a[IFLA_MTU]), 9000u);
    EXPECT_FALSE(a.contains(IFLA_ADDRESS));      // host end: kernel picks
    EXPECT_FALSE(a.contains(IFLA_NET_NS_FD));    // host end stays here
    auto info = nested(a[IFLA_LINKINFO]);
    EXPECT_EQ(str(info[IFLA_INFO_KIND]), "veth");
    auto data = nested(info[IFLA_INFO_DATA]);
    const nlattr* peer = data[VETH_INFO_PEER];
    ASSERT_NE(peer, nullptr);
    ASSERT_GE(mnl_attr_get_payload_len(peer), sizeof(ifinfomsg));
    const auto* pifi = static_cast<const ifinfomsg*>(mnl_attr_get_payload(peer));
    EXPECT_EQ(pifi->ifi_index, 0);
    Attrs p;
    const auto* after = static_cast<const char*>(mnl_attr_get_payload(peer)) + sizeof(ifinfomsg);
    ASSERT_EQ(mnl_attr_parse_payload(after, mnl_attr_get_payload_len(peer) - sizeof(ifinfomsg), collect, &p),
              MNL_CB_OK);
    EXPECT_EQ(str(p[IFLA_IFNAME]), "eth0");
    EXPECT_EQ(u32(p[IFLA_NET_NS_FD]), 7u);
    EXPECT_EQ(u32(p[IFLA_MTU]), 9000u);
    EXPECT_EQ(bytes(p[IFLA_ADDRESS]), (std::vector<std::uint8_t>{0x0a, 0x58, 0x0a, 0, 0, 2}));
}

TEST(LinkMessage, Macvlan) {
    auto m = nl::macvlan_message(
        {.name = "mv0", .parent = 3, .mode = nl::MacvlanMode::Vepa, .netns_fd = 5, .mtu = {}, .mac = {}});
    auto a = top<ifinfomsg>(m);
    EXPECT_EQ(str(a[IFLA_IFNAME]), "mv0");
    EXPECT_EQ(u32(a[IFLA_LINK]), 3u);
    EXPECT_EQ(u32(a[IFLA_NET_NS_FD]), 5u);
    auto info = nested(a[IFLA_LINKINFO]);
    EXPECT_EQ(str(info[IFLA_INFO_KIND]), "macvlan");
    EXPECT_EQ(u32(nested(info[IFLA_INFO_DATA])[IFLA_MACVLAN_MODE]), MACVLAN_MODE_VEPA);
}

TEST(LinkMessage, BridgePortFlagsAreNestedProtinfoForAfBridge) {
    auto m = nl::bridge_port_message(12, {.hairpin = true, .isolated = {}});
    EXPECT_EQ(m.hdr()->nlmsg_type, RTM_SETLINK);
    EXPECT_EQ(family_header<ifinfomsg>(m)->ifi_family, AF_BRIDGE);
    EXPECT_EQ(family_header<ifinfomsg>(m)->ifi_index, 12);
    auto a = top<ifinfomsg>(m);
    auto proto = nested(a[IFLA_PROTINFO]);  // NLA_F_NESTED checked inside
    ASSERT_TRUE(proto.contains(IFLA_BRPORT_MODE));
    EXPECT_EQ(mnl_attr_get_u8(proto[IFLA_BRPORT_MODE]), 1);
    EXPECT_FALSE(proto.contains(IFLA_BRPORT_ISOLATED));

    auto m2 = nl::bridge_port_message(12, {.hairpin = false, .isolated = true});
    auto off = top<ifinfomsg>(m2);
    auto p2 = nested(off[IFLA_PROTINFO]);
    EXPECT_EQ(mnl_attr_get_u8(p2[IFLA_BRPORT_MODE]), 0);
    EXPECT_EQ(mnl_attr_get_u8(p2[IFLA_BRPORT_ISOLATED]), 1);
}

TEST(LinkMessage, BadInputMakesTheMessageUnsendable) {
    EXPECT_NE(nl::bridge_message({.name = "br0", .mtu = {}, .mac = "02:00:00:00:00"}).problem(), "");
    EXPECT_NE(nl::veth_message({.name = "a", .peer_name = "b", .peer_netns_fd = -1, .mtu = {}, .peer_mac = "zz",
                                .mac = {}})
                  .problem(),
              "");
    // Far beyond the buffer: rejected, and nothing was written past it.
    auto huge = nl::bridge_message({.name = std::string(10000, 'x'), .mtu = {}, .mac = {}});
    EXPECT_EQ(huge.problem(), "message too long");
    EXPECT_LE(huge.size(), 4096u);
}

TEST(LinkMessage, CopiesStayValid) {
    auto a = nl::bridge_message({.name = "br-copy", .mtu = {}, .mac = {}});
    nl::Message b = a;
    EXPECT_NE(static_cast<const void*>(a.hdr()), static_cast<const void*>(b.hdr()));
    EXPECT_EQ(str(top<ifinfomsg>(b)[IFLA_IFNAME]), "br-copy");
}

TEST(Socket, RefusesUnsendableMessagesBeforeTalkingToTheKernel) {
    auto s = nl::Socket::open();  // unprivileged: no kernel state is touched
    ASSERT_TRUE(s) << s.error().msg;
    auto r = nl::create_bridge(*s, {.name = "br0", .mtu = {}, .mac = "not-a-mac"});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, static_cast<int>(netlib::Code::InvalidConfig));
    EXPECT_NE(r.error().msg.find("create bridge \"br0\""), std::string::npos) << r.error().msg;
    EXPECT_NE(r.error().msg.find("invalid MAC address \"not-a-mac\""), std::string::npos) << r.error().msg;
}

struct AddrCase {
    const char* net;
    bool nodad;
    const char* broadcast;  // nullptr: no IFA_BROADCAST
};

TEST(AddrMessage, Table) {
    const AddrCase cases[] = {
        {"10.1.2.3/24", false, "10.1.2.255"},
        {"10.1.2.3/8", false, "10.255.255.255"},
        {"10.1.2.3/30", false, "10.1.2.3"},
        {"10.1.2.3/31", false, nullptr},  // point-to-point: no broadcast
        {"10.1.2.3/32", false, nullptr},
        {"fd00::5/64", true, nullptr},
        {"fd00::5/128", false, nullptr},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.net);
        auto net = *ip::Net::parse(c.net);
        auto m = nl::addr_message(RTM_NEWADDR, 4, net, {.nodad = c.nodad});
        EXPECT_EQ(m.hdr()->nlmsg_flags, kCreate);
        const auto* ifa = family_header<ifaddrmsg>(m);
        EXPECT_EQ(ifa->ifa_family, net.addr.af());
        EXPECT_EQ(ifa->ifa_prefixlen, net.prefix);
        EXPECT_EQ(ifa->ifa_index, 4u);
        auto a = top<ifaddrmsg>(m);
        auto host = net.addr.str();
        EXPECT_EQ(bytes(a[IFA_LOCAL]), addr_bytes(host.c_str()));
        EXPECT_EQ(bytes(a[IFA_ADDRESS]), addr_bytes(host.c_str()));
        if (c.broadcast) EXPECT_EQ(bytes(a[IFA_BROADCAST]), addr_bytes(c.broadcast));
        else EXPECT_FALSE(a.contains(IFA_BROADCAST));
        if (c.nodad) EXPECT_EQ(u32(a[IFA_FLAGS]), unsigned{IFA_F_NODAD});
        else EXPECT_FALSE(a.contains(IFA_FLAGS));
    }
}

TEST(AddrMessage, DeleteHasNoCreateFlagsOrBroadcast) {
    auto m = nl::addr_message(RTM_DELADDR, 4, *ip::Net::parse("10.1.2.3/24"));
    EXPECT_EQ(m.hdr()->nlmsg_type, RTM_DELADDR);
    EXPECT_EQ(m.hdr()->nlmsg_flags, NLM_F_REQUEST);
    EXPECT_FALSE(top<ifaddrmsg>(m).contains(IFA_BROADCAST));
}

TEST(RouteMessage, DefaultViaGateway) {
    nl::RouteSpec r;
    r.dst = *ip::Net::parse("0.0.0.0/0");
    r.gw = ip::Addr::parse("10.0.0.1");
    r.oif = 5;
    auto m = nl::route_message(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, r);
    const auto* rt = family_header<rtmsg>(m);
    EXPECT_EQ(rt->rtm_family, AF_INET);
    EXPECT_EQ(rt->rtm_dst_len, 0);
    EXPECT_EQ(rt->rtm_table, RT_TABLE_MAIN);
    EXPECT_EQ(rt->rtm_scope, RT_SCOPE_UNIVERSE);
    EXPECT_EQ(rt->rtm_type, RTN_UNICAST);
    EXPECT_EQ(rt->rtm_protocol, RTPROT_BOOT);
    auto a = top<rtmsg>(m);
    EXPECT_FALSE(a.contains(RTA_DST));
    EXPECT_FALSE(a.contains(RTA_TABLE));
    EXPECT_EQ(bytes(a[RTA_GATEWAY]), addr_bytes("10.0.0.1"));
    EXPECT_EQ(u32(a[RTA_OIF]), 5u);
}

TEST(RouteMessage, AllOptionsAndLargeTable) {
    nl::RouteSpec r;
    r.dst = *ip::Net::parse("10.9.8.7/16");  // host bits are masked off
    r.oif = 2;
    r.table = 1000;
    r.priority = 50;
    r.mtu = 1300;
    r.advmss = 1260;
    r.src = ip::Addr::parse("10.9.0.1");
    auto m = nl::route_message(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, r);
    const auto* rt = family_header<rtmsg>(m);
    EXPECT_EQ(rt->rtm_table, RT_TABLE_UNSPEC);  // > 255 only fits RTA_TABLE
    EXPECT_EQ(rt->rtm_scope, RT_SCOPE_LINK);    // no gateway
    EXPECT_EQ(rt->rtm_dst_len, 16);
    auto a = top<rtmsg>(m);
    EXPECT_EQ(u32(a[RTA_TABLE]), 1000u);
    EXPECT_EQ(bytes(a[RTA_DST]), addr_bytes("10.9.0.0"));
    EXPECT_EQ(bytes(a[RTA_PREFSRC]), addr_bytes("10.9.0.1"));
    EXPECT_EQ(u32(a[RTA_PRIORITY]), 50u);
    auto mx = nested(a[RTA_METRICS]);
    EXPECT_EQ(u32(mx[RTAX_MTU]), 1300u);
    EXPECT_EQ(u32(mx[RTAX_ADVMSS]), 1260u);
}

TEST(RouteMessage, DeleteMatchesAnyProtocolAndScope) {
    nl::RouteSpec r;
    r.dst = *ip::Net::parse("fd00:1::/64");
    r.gw = ip::Addr::parse("fd00::1");
    auto m = nl::route_message(RTM_DELROUTE, 0, r);
    const auto* rt = family_header<rtmsg>(m);
    EXPECT_EQ(rt->rtm_family, AF_INET6);
    EXPECT_EQ(rt->rtm_protocol, RTPROT_UNSPEC);
    EXPECT_EQ(rt->rtm_scope, RT_SCOPE_NOWHERE);
    auto a = top<rtmsg>(m);
    EXPECT_EQ(bytes(a[RTA_DST]), addr_bytes("fd00:1::"));
    EXPECT_FALSE(a.contains(RTA_OIF));
}

}  // namespace
