#include "netlib/netlink/link.hpp"

#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include <cerrno>

#include "netlib/netlink/mac.hpp"

namespace netlib::netlink {

namespace {

ifinfomsg* put_ifinfo(Message& m, int index, int family = AF_UNSPEC) {
    auto* ifi = m.put_header<ifinfomsg>();
    ifi->ifi_family = static_cast<unsigned char>(family);
    ifi->ifi_index = index;
    return ifi;
}

void put_mac(nlmsghdr* nlh, std::uint16_t type, const std::string& mac) {
    if (auto m = parse_mac(mac)) mnl_attr_put(nlh, type, m->size(), m->data());
}

int parse_linkinfo_attr(const nlattr* a, void* data) {
    auto* kind = static_cast<std::string*>(data);
    if (mnl_attr_get_type(a) == IFLA_INFO_KIND) *kind = mnl_attr_get_str(a);
    return MNL_CB_OK;
}

int parse_link_attr(const nlattr* a, void* data) {
    auto* l = static_cast<LinkInfo*>(data);
    switch (mnl_attr_get_type(a)) {
        case IFLA_IFNAME: l->name = mnl_attr_get_str(a); break;
        case IFLA_MTU: l->mtu = mnl_attr_get_u32(a); break;
        case IFLA_MASTER: l->master = static_cast<int>(mnl_attr_get_u32(a)); break;
        case IFLA_LINK: l->link = static_cast<int>(mnl_attr_get_u32(a)); break;
        case IFLA_OPERSTATE: l->oper_up = mnl_attr_get_u8(a) == IF_OPER_UP; break;
        case IFLA_ADDRESS:
            l->mac = format_mac(static_cast<const std::uint8_t*>(mnl_attr_get_payload(a)),
                                mnl_attr_get_payload_len(a));
            break;
        case IFLA_LINKINFO: mnl_attr_parse_nested(a, parse_linkinfo_attr, &l->kind); break;
        default: break;
    }
    return MNL_CB_OK;
}

LinkInfo parse_link(const nlmsghdr* nlh) {
    LinkInfo l;
    const auto* ifi = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(nlh));
    l.index = ifi->ifi_index;
    l.flags = ifi->ifi_flags;
    l.up = ifi->ifi_flags & IFF_UP;
    mnl_attr_parse(nlh, sizeof(*ifi), parse_link_attr, &l);
    return l;
}

Expected<std::optional<LinkInfo>> get(Socket& s, Message& m, const std::string& what) {
    std::optional<LinkInfo> out;
    auto r = s.query(m, what, [&](const nlmsghdr* nlh) {
        if (nlh->nlmsg_type == RTM_NEWLINK) out = parse_link(nlh);
    });
    if (!r) {
        if (r.error().sys_errno == ENODEV) return std::optional<LinkInfo>{};
        return std::unexpected(r.error());
    }
    return out;
}

// RTM_NEWLINK on an existing link changes it; one helper for the simple attribute setters.
Expected<> change(Socket& s, int index, const std::string& what, const std::function<void(Message&, ifinfomsg*)>& fill) {
    Message m(RTM_NEWLINK, 0);
    auto* ifi = put_ifinfo(m, index);
    fill(m, ifi);
    return s.request(m, what);
}

std::string idx(int index) { return "link #" + std::to_string(index); }

}  // namespace

Message bridge_message(const BridgeSpec& spec) {
    Message m(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    put_ifinfo(m, 0);
    auto* nlh = m.hdr();
    mnl_attr_put_strz(nlh, IFLA_IFNAME, spec.name.c_str());
    if (spec.mtu) mnl_attr_put_u32(nlh, IFLA_MTU, static_cast<std::uint32_t>(*spec.mtu));
    put_mac(nlh, IFLA_ADDRESS, spec.mac);
    auto* info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
    mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
    mnl_attr_nest_end(nlh, info);
    return m;
}

Message veth_message(const VethSpec& spec) {
    Message m(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    put_ifinfo(m, 0);
    auto* nlh = m.hdr();
    mnl_attr_put_strz(nlh, IFLA_IFNAME, spec.name.c_str());
    if (spec.mtu) mnl_attr_put_u32(nlh, IFLA_MTU, static_cast<std::uint32_t>(*spec.mtu));
    put_mac(nlh, IFLA_ADDRESS, spec.mac);
    auto* info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
    mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
    auto* data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
    auto* peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
    // The peer's attributes follow its own ifinfomsg inside VETH_INFO_PEER.
    auto* pifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
    pifi->ifi_family = AF_UNSPEC;
    mnl_attr_put_strz(nlh, IFLA_IFNAME, spec.peer_name.c_str());
    if (spec.peer_netns_fd >= 0) mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, static_cast<std::uint32_t>(spec.peer_netns_fd));
    if (spec.mtu) mnl_attr_put_u32(nlh, IFLA_MTU, static_cast<std::uint32_t>(*spec.mtu));
    put_mac(nlh, IFLA_ADDRESS, spec.peer_mac);
    mnl_attr_nest_end(nlh, peer);
    mnl_attr_nest_end(nlh, data);
    mnl_attr_nest_end(nlh, info);
    return m;
}

Expected<std::optional<LinkInfo>> get_link(Socket& s, const std::string& name) {
    Message m(RTM_GETLINK, 0);
    put_ifinfo(m, 0);
    mnl_attr_put_strz(m.hdr(), IFLA_IFNAME, name.c_str());
    return get(s, m, "look up link \"" + name + "\"");
}

Expected<std::optional<LinkInfo>> get_link(Socket& s, int index) {
    Message m(RTM_GETLINK, 0);
    put_ifinfo(m, index);
    return get(s, m, "look up " + idx(index));
}

Expected<> create_bridge(Socket& s, const BridgeSpec& spec) {
    auto m = bridge_message(spec);
    return s.request(m, "create bridge \"" + spec.name + "\"");
}

Expected<> create_veth(Socket& s, const VethSpec& spec) {
    auto m = veth_message(spec);
    return s.request(m, "create veth \"" + spec.name + "\" with peer \"" + spec.peer_name + "\"");
}

Expected<> set_up(Socket& s, int index) {
    return change(s, index, "set " + idx(index) + " up", [](Message&, ifinfomsg* ifi) {
        ifi->ifi_change = IFF_UP;
        ifi->ifi_flags = IFF_UP;
    });
}

Expected<> set_down(Socket& s, int index) {
    return change(s, index, "set " + idx(index) + " down", [](Message&, ifinfomsg* ifi) {
        ifi->ifi_change = IFF_UP;
        ifi->ifi_flags = 0;
    });
}

Expected<> set_promisc(Socket& s, int index, bool on) {
    return change(s, index, "set promisc on " + idx(index), [on](Message&, ifinfomsg* ifi) {
        ifi->ifi_change = IFF_PROMISC;
        ifi->ifi_flags = on ? IFF_PROMISC : 0;
    });
}

Expected<> set_mtu(Socket& s, int index, int mtu) {
    return change(s, index, "set mtu " + std::to_string(mtu) + " on " + idx(index), [mtu](Message& m, ifinfomsg*) {
        mnl_attr_put_u32(m.hdr(), IFLA_MTU, static_cast<std::uint32_t>(mtu));
    });
}

Expected<> set_mac(Socket& s, int index, const std::string& mac) {
    if (!parse_mac(mac)) return fail(Code::InvalidConfig, "invalid MAC address \"" + mac + "\"");
    return change(s, index, "set MAC " + mac + " on " + idx(index),
                  [&mac](Message& m, ifinfomsg*) { put_mac(m.hdr(), IFLA_ADDRESS, mac); });
}

Expected<> set_master(Socket& s, int index, int master) {
    return change(s, index, "attach " + idx(index) + " to " + idx(master), [master](Message& m, ifinfomsg*) {
        mnl_attr_put_u32(m.hdr(), IFLA_MASTER, static_cast<std::uint32_t>(master));
    });
}

Expected<> rename(Socket& s, int index, const std::string& name) {
    return change(s, index, "rename " + idx(index) + " to \"" + name + "\"",
                  [&name](Message& m, ifinfomsg*) { mnl_attr_put_strz(m.hdr(), IFLA_IFNAME, name.c_str()); });
}

Expected<> set_netns(Socket& s, int index, int netns_fd) {
    return change(s, index, "move " + idx(index) + " to another netns", [netns_fd](Message& m, ifinfomsg*) {
        mnl_attr_put_u32(m.hdr(), IFLA_NET_NS_FD, static_cast<std::uint32_t>(netns_fd));
    });
}

Expected<> set_bridge_port(Socket& s, int index, const BridgePortFlags& f) {
    Message m(RTM_SETLINK, 0);
    put_ifinfo(m, index, AF_BRIDGE);
    auto* nlh = m.hdr();
    auto* proto = mnl_attr_nest_start(nlh, IFLA_PROTINFO);
    if (f.hairpin) mnl_attr_put_u8(nlh, IFLA_BRPORT_MODE, *f.hairpin ? 1 : 0);
    if (f.isolated) mnl_attr_put_u8(nlh, IFLA_BRPORT_ISOLATED, *f.isolated ? 1 : 0);
    mnl_attr_nest_end(nlh, proto);
    return s.request(m, "set bridge port flags on " + idx(index));
}

Expected<> delete_link(Socket& s, int index) {
    Message m(RTM_DELLINK, 0);
    put_ifinfo(m, index);
    return s.request(m, "delete " + idx(index));
}

}  // namespace netlib::netlink
