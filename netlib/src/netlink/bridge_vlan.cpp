// Bridge VLAN filtering over rtnetlink: IFLA_BR_VLAN_FILTERING on the bridge, and the
// AF_BRIDGE IFLA_AF_SPEC / IFLA_BRIDGE_VLAN_INFO entries on its ports.
#include "netlib/netlink/bridge_vlan.hpp"

#include <libmnl/libmnl.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>

#include <cerrno>
#include <string>

#include "link_internal.hpp"

namespace netlib::netlink {

namespace {

std::string vid_text(const PortVlan& v) {
    return v.vid_end > v.vid ? std::to_string(v.vid) + "-" + std::to_string(v.vid_end)
                             : std::to_string(v.vid);
}

void put_vlan_info(Message& m, std::uint16_t flags, std::uint16_t vid) {
    bridge_vlan_info info{.flags = flags, .vid = vid};
    m.put(IFLA_BRIDGE_VLAN_INFO, &info, sizeof info);
}

// RTM_SETLINK adds, RTM_DELLINK removes; a range goes as a RANGE_BEGIN/RANGE_END pair so a
// trunk of thousands of ids stays one small message.
Message port_vlan_message(std::uint16_t type, int port_index, const PortVlan& v) {
    Message m(type, 0);
    detail::put_ifinfo(m, port_index, AF_BRIDGE);
    auto* spec = m.nest_start(IFLA_AF_SPEC);
    std::uint16_t flags =
        (v.pvid ? BRIDGE_VLAN_INFO_PVID : 0) | (v.untagged ? BRIDGE_VLAN_INFO_UNTAGGED : 0);
    if (v.vid_end > v.vid) {
        put_vlan_info(m, flags | BRIDGE_VLAN_INFO_RANGE_BEGIN, v.vid);
        put_vlan_info(m, flags | BRIDGE_VLAN_INFO_RANGE_END, v.vid_end);
    } else {
        put_vlan_info(m, flags, v.vid);
    }
    m.nest_end(spec);
    return m;
}

int parse_af_spec_attr(const nlattr* a, void* data) {
    auto* out = static_cast<std::vector<PortVlan>*>(data);
    if (mnl_attr_get_type(a) != IFLA_BRIDGE_VLAN_INFO ||
        mnl_attr_get_payload_len(a) < sizeof(bridge_vlan_info))
        return MNL_CB_OK;
    const auto* info = static_cast<const bridge_vlan_info*>(mnl_attr_get_payload(a));
    out->push_back({.vid = info->vid,
                    .vid_end = 0,
                    .pvid = (info->flags & BRIDGE_VLAN_INFO_PVID) != 0,
                    .untagged = (info->flags & BRIDGE_VLAN_INFO_UNTAGGED) != 0});
    return MNL_CB_OK;
}

int parse_port_attr(const nlattr* a, void* data) {
    if (mnl_attr_get_type(a) == IFLA_AF_SPEC) mnl_attr_parse_nested(a, parse_af_spec_attr, data);
    return MNL_CB_OK;
}

}  // namespace

Expected<> set_bridge_vlan_filtering(Socket& s, int bridge_index, bool on) {
    Message m(RTM_NEWLINK, 0);
    detail::put_ifinfo(m, bridge_index);
    auto* info = m.nest_start(IFLA_LINKINFO);
    m.put_strz(IFLA_INFO_KIND, "bridge");
    auto* data = m.nest_start(IFLA_INFO_DATA);
    m.put_u8(IFLA_BR_VLAN_FILTERING, on ? 1 : 0);
    m.nest_end(data);
    m.nest_end(info);
    auto r = s.request(m, "set bridge vlan_filtering");
    if (!r && r.error().sys_errno == EOPNOTSUPP)
        return fail(Code::Kernel,
                    "this kernel has no bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING): "
                    "the vlan/vlanTrunk keys cannot be used here");
    return r;
}

Expected<> add_port_vlan(Socket& s, int port_index, const PortVlan& v) {
    auto m = port_vlan_message(RTM_SETLINK, port_index, v);
    return s.request(m, "add bridge port vlan " + vid_text(v));
}

Expected<> del_port_vlan(Socket& s, int port_index, const PortVlan& v) {
    auto m = port_vlan_message(RTM_DELLINK, port_index, v);
    return s.request(m, "delete bridge port vlan " + vid_text(v));
}

// Only the AF_BRIDGE dump carries the VLAN table, and only with RTEXT_FILTER_BRVLAN
// (one entry per id; the _COMPRESSED variant would send ranges).
Expected<std::vector<PortVlan>> port_vlans(Socket& s, int port_index) {
    Message m(RTM_GETLINK, NLM_F_DUMP);
    detail::put_ifinfo(m, 0, AF_BRIDGE);
    m.put_u32(IFLA_EXT_MASK, RTEXT_FILTER_BRVLAN);
    std::vector<PortVlan> out;
    NETLIB_TRYV(s.query(m, "dump bridge port vlans", [&](const nlmsghdr* nlh) {
        const auto* ifi = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(nlh));
        if (nlh->nlmsg_type == RTM_NEWLINK && ifi->ifi_index == port_index)
            mnl_attr_parse(nlh, sizeof(*ifi), parse_port_attr, &out);
    }));
    return out;
}

}  // namespace netlib::netlink
