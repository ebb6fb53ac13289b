// Link lookup and the operations on existing links (one RTM_NEWLINK/SETLINK/DELLINK each).
#include "netlib/netlink/link.hpp"

#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>

#include <cerrno>

#include "link_internal.hpp"
#include "netlib/netlink/mac.hpp"

namespace netlib::netlink {

namespace {

using detail::put_ifinfo;

// macvlan and ipvlan both put their mode first in IFLA_INFO_DATA (attribute type 1).
int parse_sublink_data_attr(const nlattr* a, void* data) {
    if (mnl_attr_get_type(a) == 1 && mnl_attr_get_payload_len(a) >= 2) {
        auto* l = static_cast<LinkInfo*>(data);
        l->sublink_mode = mnl_attr_get_payload_len(a) >= 4 ? mnl_attr_get_u32(a) : mnl_attr_get_u16(a);
    }
    return MNL_CB_OK;
}

int parse_linkinfo_attr(const nlattr* a, void* data) {
    auto* l = static_cast<LinkInfo*>(data);
    if (mnl_attr_get_type(a) == IFLA_INFO_KIND) l->kind = mnl_attr_get_str(a);
    if (mnl_attr_get_type(a) == IFLA_INFO_DATA && (l->kind == "macvlan" || l->kind == "ipvlan"))
        mnl_attr_parse_nested(a, parse_sublink_data_attr, l);
    return MNL_CB_OK;
}

int parse_link_attr(const nlattr* a, void* data) {
    auto* l = static_cast<LinkInfo*>(data);
    switch (mnl_attr_get_type(a)) {
        case IFLA_IFNAME: l->name = mnl_attr_get_str(a); break;
        case IFLA_MTU: l->mtu = mnl_attr_get_u32(a); break;
        case IFLA_MASTER: l->master = static_cast<int>(mnl_attr_get_u32(a)); break;
        case IFLA_LINK: l->link = static_cast<int>(mnl_attr_get_u32(a)); break;
        case IFLA_LINK_NETNSID: l->link_netnsid = static_cast<int>(mnl_attr_get_u32(a)); break;
        case IFLA_OPERSTATE: l->oper_up = mnl_attr_get_u8(a) == IF_OPER_UP; break;
        case IFLA_ADDRESS:
            l->mac = format_mac(static_cast<const std::uint8_t*>(mnl_attr_get_payload(a)),
                                mnl_attr_get_payload_len(a));
            break;
        case IFLA_LINKINFO: mnl_attr_parse_nested(a, parse_linkinfo_attr, l); break;
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

// RTM_NEWLINK without CREATE on an existing link changes it: one message per setter.
template <class Fill>
Expected<> change(Socket& s, int index, const std::string& what, Fill fill) {
    Message m(RTM_NEWLINK, 0);
    auto* ifi = put_ifinfo(m, index);
    fill(m, ifi);
    return s.request(m, what);
}

std::string idx(int index) { return "link #" + std::to_string(index); }

Expected<> set_flag(Socket& s, int index, unsigned flag, bool on, const std::string& what) {
    return change(s, index, what, [&](Message&, ifinfomsg* ifi) {
        ifi->ifi_change = flag;
        ifi->ifi_flags = on ? flag : 0;
    });
}

}  // namespace

Expected<std::optional<LinkInfo>> get_link(Socket& s, const std::string& name) {
    Message m(RTM_GETLINK, 0);
    put_ifinfo(m, 0);
    m.put_strz(IFLA_IFNAME, name);
    // Skip per-VF and stats blobs: smaller replies, nothing here reads them.
    m.put_u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
    return get(s, m, "look up link \"" + name + "\"");
}

Expected<std::optional<LinkInfo>> get_link(Socket& s, int index) {
    Message m(RTM_GETLINK, 0);
    put_ifinfo(m, index);
    m.put_u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
    return get(s, m, "look up " + idx(index));
}

Expected<std::vector<LinkInfo>> list_links(Socket& s) {
    Message m(RTM_GETLINK, NLM_F_DUMP);
    put_ifinfo(m, 0);
    m.put_u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
    std::vector<LinkInfo> out;
    NETLIB_TRYV(s.query(m, "list links", [&](const nlmsghdr* nlh) {
        if (nlh->nlmsg_type == RTM_NEWLINK) out.push_back(parse_link(nlh));
    }));
    return out;
}

Expected<> create_bridge(Socket& s, const BridgeSpec& spec) {
    auto m = bridge_message(spec);
    return s.request(m, "create bridge \"" + spec.name + "\"");
}

Expected<> create_veth(Socket& s, const VethSpec& spec) {
    auto m = veth_message(spec);
    return s.request(m, "create veth \"" + spec.name + "\" with peer \"" + spec.peer_name + "\"");
}

Expected<> create_macvlan(Socket& s, const MacvlanSpec& spec) {
    auto m = macvlan_message(spec);
    return s.request(m, "create macvlan \"" + spec.name + "\" on " + idx(spec.parent));
}

Expected<> create_ipvlan(Socket& s, const IpvlanSpec& spec) {
    auto m = ipvlan_message(spec);
    return s.request(m, "create ipvlan \"" + spec.name + "\" on " + idx(spec.parent));
}

Expected<> set_up(Socket& s, int index) { return set_flag(s, index, IFF_UP, true, "set " + idx(index) + " up"); }

Expected<> set_down(Socket& s, int index) {
    return set_flag(s, index, IFF_UP, false, "set " + idx(index) + " down");
}

Expected<> set_promisc(Socket& s, int index, bool on) {
    return set_flag(s, index, IFF_PROMISC, on, std::string("turn promiscuous mode ") + (on ? "on" : "off") + " on " + idx(index));
}

Expected<> set_mtu(Socket& s, int index, int mtu) {
    return change(s, index, "set mtu " + std::to_string(mtu) + " on " + idx(index),
                  [mtu](Message& m, ifinfomsg*) { m.put_u32(IFLA_MTU, static_cast<std::uint32_t>(mtu)); });
}

Expected<> set_mac(Socket& s, int index, const std::string& mac) {
    if (!parse_mac(mac)) return fail(Code::InvalidConfig, "invalid MAC address \"" + mac + "\"");
    return change(s, index, "set MAC " + mac + " on " + idx(index),
                  [&mac](Message& m, ifinfomsg*) { detail::put_mac(m, IFLA_ADDRESS, mac); });
}

Expected<> set_master(Socket& s, int index, int master) {
    std::string what = master ? "attach " + idx(index) + " to " + idx(master) : "detach " + idx(index) + " from its master";
    return change(s, index, what,
                  [master](Message& m, ifinfomsg*) { m.put_u32(IFLA_MASTER, static_cast<std::uint32_t>(master)); });
}

Expected<> rename(Socket& s, int index, const std::string& name) {
    return change(s, index, "rename " + idx(index) + " to \"" + name + "\"",
                  [&name](Message& m, ifinfomsg*) { m.put_strz(IFLA_IFNAME, name); });
}

Expected<> set_netns(Socket& s, int index, int netns_fd) {
    return change(s, index, "move " + idx(index) + " to another netns", [netns_fd](Message& m, ifinfomsg*) {
        m.put_u32(IFLA_NET_NS_FD, static_cast<std::uint32_t>(netns_fd));
    });
}

Expected<> set_bridge_port(Socket& s, int index, const BridgePortFlags& f) {
    auto m = bridge_port_message(index, f);
    return s.request(m, "set bridge port flags on " + idx(index));
}

Expected<> delete_link(Socket& s, int index) {
    Message m(RTM_DELLINK, 0);
    put_ifinfo(m, index);
    return s.request(m, "delete " + idx(index));
}

Expected<> delete_link(Socket& s, const std::string& name) {
    Message m(RTM_DELLINK, 0);
    put_ifinfo(m, 0);
    m.put_strz(IFLA_IFNAME, name);
    return s.request(m, "delete link \"" + name + "\"");
}

}  // namespace netlib::netlink
