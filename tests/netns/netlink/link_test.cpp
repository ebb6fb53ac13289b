// Links against the real kernel: bridge, veth with the peer created in another netns,
// setters, bridge port flags, macvlan, errors (EEXIST, ENODEV, ext-ack text).
#include <unistd.h>

#include <cerrno>

#include "fixture.hpp"
#include "netlib/netlink/mac.hpp"

namespace nltest {
namespace {

using Links = TwoNetns;

nl::VethSpec veth(const std::string& name, const std::string& peer, int peer_fd) {
    return {.name = name, .peer_name = peer, .peer_netns_fd = peer_fd, .mtu = {}, .peer_mac = {}, .mac = {}};
}

TEST_F(Links, BridgeIsCreatedAsAskedAndEexistIsDistinct) {
    NL_OK(nl::create_bridge(host_, {.name = "br-t", .mtu = 1400, .mac = "02:11:22:33:44:55"}));
    auto br = link(host_, "br-t");
    EXPECT_EQ(br.kind, "bridge");
    EXPECT_EQ(br.mtu, 1400u);
    EXPECT_EQ(br.mac, "02:11:22:33:44:55");
    EXPECT_FALSE(br.up);
    EXPECT_EQ(read_file("/sys/class/net/br-t/address"), "02:11:22:33:44:55");  // independent view

    auto again = nl::create_bridge(host_, {.name = "br-t", .mtu = {}, .mac = {}});
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().sys_errno, EEXIST);
    EXPECT_EQ(again.error().code, static_cast<int>(netlib::Code::Kernel));
    EXPECT_NE(again.error().msg.find("create bridge \"br-t\": File exists"), std::string::npos) << again.error().msg;
}

TEST_F(Links, MissingLinkIsNulloptNotAnError) {
    auto by_name = nl::get_link(host_, "no-such-link");
    ASSERT_TRUE(by_name) << by_name.error().msg;
    EXPECT_FALSE(by_name->has_value());
    auto by_index = nl::get_link(host_, 987654);
    ASSERT_TRUE(by_index) << by_index.error().msg;
    EXPECT_FALSE(by_index->has_value());
    auto lo = NL_OK(nl::get_link(host_, 1));
    ASSERT_TRUE(lo);
    EXPECT_EQ(lo->name, "lo");
    EXPECT_TRUE(lo->up);  // the harness set it up
}

TEST_F(Links, VethPeerIsCreatedDirectlyInTheOtherNetns) {
    auto spec = veth("vh-peer", "eth0", ctr_.fd());
    spec.mtu = 1450;
    spec.peer_mac = "0a:58:0a:00:00:02";
    NL_OK(nl::create_veth(host_, spec));
    auto h = link(host_, "vh-peer");
    auto c = link(ctr_sock_, "eth0");
    EXPECT_FALSE(exists(host_, "eth0"));
    EXPECT_FALSE(exists(ctr_sock_, "vh-peer"));
    EXPECT_EQ(h.kind, "veth");
    EXPECT_EQ(c.kind, "veth");
    EXPECT_EQ(h.mtu, 1450u);
    EXPECT_EQ(c.mtu, 1450u);
    EXPECT_EQ(c.mac, "0a:58:0a:00:00:02");
    EXPECT_EQ(h.link, c.index);  // each end names the other's index...
    EXPECT_EQ(c.link, h.index);
    EXPECT_GE(h.link_netnsid, 0);  // ...in another netns
    EXPECT_GE(c.link_netnsid, 0);
}

TEST_F(Links, PeerNameTakenInTargetNetnsIsEexistAndLeavesNothing) {
    NL_OK(nl::create_veth(host_, veth("vh-a", "eth0", ctr_.fd())));
    auto r = nl::create_veth(host_, veth("vh-b", "eth0", ctr_.fd()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().sys_errno, EEXIST);
    EXPECT_NE(r.error().msg.find("create veth \"vh-b\" with peer \"eth0\""), std::string::npos) << r.error().msg;
    EXPECT_FALSE(exists(host_, "vh-b"));  // creation is atomic: no half pair
}

TEST_F(Links, SettersChangeWhatTheyName) {
    NL_OK(nl::create_bridge(host_, {.name = "br-s", .mtu = {}, .mac = {}}));
    NL_OK(nl::create_veth(host_, veth("vh-s", "eth0", ctr_.fd())));
    auto br = link(host_, "br-s");
    auto v = link(host_, "vh-s");

    NL_OK(nl::set_master(host_, v.index, br.index));
    EXPECT_EQ(link(host_, "vh-s").master, br.index);
    NL_OK(nl::set_up(host_, v.index));
    EXPECT_TRUE(link(host_, "vh-s").up);
    NL_OK(nl::set_mtu(host_, v.index, 1300));
    EXPECT_EQ(link(host_, "vh-s").mtu, 1300u);
    NL_OK(nl::set_mac(host_, v.index, "02:aa:bb:cc:dd:ee"));
    EXPECT_EQ(link(host_, "vh-s").mac, "02:aa:bb:cc:dd:ee");
    NL_OK(nl::set_promisc(host_, br.index, true));
    EXPECT_TRUE(link(host_, "br-s").flags & IFF_PROMISC);
    NL_OK(nl::set_promisc(host_, br.index, false));
    EXPECT_FALSE(link(host_, "br-s").flags & IFF_PROMISC);
    NL_OK(nl::set_master(host_, v.index, 0));
    EXPECT_EQ(link(host_, "vh-s").master, 0);
    NL_OK(nl::set_down(host_, v.index));
    EXPECT_FALSE(link(host_, "vh-s").up);

    auto bad = nl::set_mac(host_, v.index, "nope");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, static_cast<int>(netlib::Code::InvalidConfig));
}

TEST_F(Links, OperStateFollowsBothEnds) {
    NL_OK(nl::create_veth(host_, veth("vh-o", "eth0", ctr_.fd())));
    auto h = link(host_, "vh-o");
    NL_OK(nl::set_up(host_, h.index));
    EXPECT_FALSE(link(host_, "vh-o").oper_up);  // peer still down: no carrier
    NL_OK(nl::set_up(ctr_sock_, link(ctr_sock_, "eth0").index));
    for (int i = 0; i < 100 && !link(host_, "vh-o").oper_up; ++i) ::usleep(10000);  // carrier is async
    EXPECT_TRUE(link(host_, "vh-o").oper_up);
}

TEST_F(Links, BridgePortHairpinAndIsolation) {
    NL_OK(nl::create_bridge(host_, {.name = "br-p", .mtu = {}, .mac = {}}));
    NL_OK(nl::create_veth(host_, veth("vh-p", "eth0", ctr_.fd())));
    auto v = link(host_, "vh-p");
    NL_OK(nl::set_master(host_, v.index, link(host_, "br-p").index));
    EXPECT_EQ(read_file("/sys/class/net/vh-p/brport/hairpin_mode"), "0");
    NL_OK(nl::set_bridge_port(host_, v.index, {.hairpin = true, .isolated = {}}));
    EXPECT_EQ(read_file("/sys/class/net/vh-p/brport/hairpin_mode"), "1");
    EXPECT_EQ(read_file("/sys/class/net/vh-p/brport/isolated"), "0");  // untouched
    NL_OK(nl::set_bridge_port(host_, v.index, {.hairpin = false, .isolated = true}));
    EXPECT_EQ(read_file("/sys/class/net/vh-p/brport/hairpin_mode"), "0");
    EXPECT_EQ(read_file("/sys/class/net/vh-p/brport/isolated"), "1");
    // The port state must not have been touched (an unflagged nest would set it).
    EXPECT_EQ(read_file("/sys/class/net/vh-p/brport/state"), "0");  // disabled: port is down
}

TEST_F(Links, BridgePortFlagsOnANonPortFail) {
    NL_OK(nl::create_veth(host_, veth("vh-np", "eth0", ctr_.fd())));
    auto r = nl::set_bridge_port(host_, link(host_, "vh-np").index, {.hairpin = true, .isolated = {}});
    EXPECT_FALSE(r);
}

TEST_F(Links, RenameAndMoveToAnotherNetns) {
    NL_OK(nl::create_veth(host_, veth("vh-r1", "vh-r2", -1)));  // both ends here
    auto a = link(host_, "vh-r1");
    NL_OK(nl::rename(host_, a.index, "vh-renamed"));
    EXPECT_EQ(link(host_, "vh-renamed").index, a.index);
    EXPECT_FALSE(exists(host_, "vh-r1"));

    auto b = link(host_, "vh-r2");
    NL_OK(nl::set_netns(host_, b.index, ctr_.fd()));
    EXPECT_FALSE(exists(host_, "vh-r2"));
    EXPECT_TRUE(exists(ctr_sock_, "vh-r2"));
}

TEST_F(Links, DeleteByIndexOrNameAndEnodevOnRepeat) {
    NL_OK(nl::create_veth(host_, veth("vh-d", "eth0", ctr_.fd())));
    auto v = link(host_, "vh-d");
    NL_OK(nl::delete_link(host_, v.index));
    EXPECT_FALSE(exists(host_, "vh-d"));
    EXPECT_FALSE(exists(ctr_sock_, "eth0"));  // a veth dies as a pair

    auto again = nl::delete_link(host_, v.index);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().sys_errno, ENODEV);
    auto by_name = nl::delete_link(host_, std::string("vh-d"));
    ASSERT_FALSE(by_name);
    EXPECT_EQ(by_name.error().sys_errno, ENODEV);

    NL_OK(nl::create_bridge(host_, {.name = "br-d", .mtu = {}, .mac = {}}));
    NL_OK(nl::delete_link(host_, std::string("br-d")));
    EXPECT_FALSE(exists(host_, "br-d"));
}

TEST_F(Links, KernelExtAckTextIsInTheMessage) {
    NL_OK(nl::create_veth(host_, veth("vh-e", "eth0", ctr_.fd())));
    auto v = link(host_, "vh-e");
    auto r = nl::set_mtu(host_, v.index, 1 << 20);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().sys_errno, EINVAL);
    EXPECT_NE(r.error().msg.find("set mtu 1048576 on link #" + std::to_string(v.index)), std::string::npos)
        << r.error().msg;
    const auto& msg = r.error().msg;
    auto pos = msg.find(": Invalid argument (kernel: ");
    ASSERT_NE(pos, std::string::npos) << msg;
    EXPECT_GT(msg.size(), pos + 30) << "empty kernel text: " << msg;
    EXPECT_EQ(msg.back(), ')') << msg;
}

TEST_F(Links, MacvlanCreatedDirectlyInTheOtherNetns) {
    NL_OK(nl::create_veth(host_, veth("vh-mv", "vh-mv2", -1)));
    auto parent = link(host_, "vh-mv");
    NL_OK(nl::create_macvlan(host_, {.name = "mv-tmp",
                                     .parent = parent.index,
                                     .mode = nl::MacvlanMode::Bridge,
                                     .netns_fd = ctr_.fd(),
                                     .mtu = 1400,
                                     .mac = "02:00:00:00:aa:01"}));
    EXPECT_FALSE(exists(host_, "mv-tmp"));
    auto mv = link(ctr_sock_, "mv-tmp");
    EXPECT_EQ(mv.kind, "macvlan");
    EXPECT_EQ(mv.mtu, 1400u);
    EXPECT_EQ(mv.mac, "02:00:00:00:aa:01");
    EXPECT_EQ(mv.link, parent.index);
    EXPECT_GE(mv.link_netnsid, 0);
}

TEST_F(Links, OpenInBindsTheSocketToThatNetns) {
    // Same name on both sides, different objects: each socket sees its own.
    NL_OK(nl::create_bridge(host_, {.name = "br-same", .mtu = 1500, .mac = {}}));
    NL_OK(nl::create_bridge(ctr_sock_, {.name = "br-same", .mtu = 1280, .mac = {}}));
    EXPECT_EQ(link(host_, "br-same").mtu, 1500u);
    EXPECT_EQ(link(ctr_sock_, "br-same").mtu, 1280u);
}

}  // namespace
}  // namespace nltest
