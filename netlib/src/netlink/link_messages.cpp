// Builders for the link-creating and bridge-port messages: pure functions over a spec, so
// the bytes can be checked without root (tests/unit/netlink).
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/veth.h>

#include "link_internal.hpp"
#include "netlib/netlink/link.hpp"
#include "netlib/netlink/mac.hpp"

namespace netlib::netlink {

namespace detail {
void put_mac(Message& m, std::uint16_t type, const std::string& mac) {
    if (mac.empty()) return;
    auto parsed = parse_mac(mac);
    if (!parsed) return m.set_problem("invalid MAC address \"" + mac + "\"");
    m.put(type, parsed->data(), parsed->size());
}
}  // namespace detail

namespace {

Message new_link(const std::string& name, std::optional<int> mtu, const std::string& mac) {
    Message m(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    detail::put_ifinfo(m, 0);
    m.put_strz(IFLA_IFNAME, name);
    if (mtu) m.put_u32(IFLA_MTU, static_cast<std::uint32_t>(*mtu));
    detail::put_mac(m, IFLA_ADDRESS, mac);
    return m;
}

}  // namespace

Message bridge_message(const BridgeSpec& spec) {
    auto m = new_link(spec.name, spec.mtu, spec.mac);
    auto* info = m.nest_start(IFLA_LINKINFO);
    m.put_strz(IFLA_INFO_KIND, "bridge");
    m.nest_end(info);
    return m;
}

Message veth_message(const VethSpec& spec) {
    auto m = new_link(spec.name, spec.mtu, spec.mac);
    auto* info = m.nest_start(IFLA_LINKINFO);
    m.put_strz(IFLA_INFO_KIND, "veth");
    auto* data = m.nest_start(IFLA_INFO_DATA);
    auto* peer = m.nest_start(VETH_INFO_PEER);
    // The peer is described like a link of its own: an ifinfomsg, then its attributes.
    // IFLA_NET_NS_FD here creates it straight in the target netns (no move afterwards).
    detail::put_ifinfo(m, 0);
    m.put_strz(IFLA_IFNAME, spec.peer_name);
    if (spec.peer_netns_fd >= 0) m.put_u32(IFLA_NET_NS_FD, static_cast<std::uint32_t>(spec.peer_netns_fd));
    if (spec.mtu) m.put_u32(IFLA_MTU, static_cast<std::uint32_t>(*spec.mtu));
    detail::put_mac(m, IFLA_ADDRESS, spec.peer_mac);
    m.nest_end(peer);
    m.nest_end(data);
    m.nest_end(info);
    return m;
}

Message macvlan_message(const MacvlanSpec& spec) {
    auto m = new_link(spec.name, spec.mtu, spec.mac);
    m.put_u32(IFLA_LINK, static_cast<std::uint32_t>(spec.parent));
    if (spec.netns_fd >= 0) m.put_u32(IFLA_NET_NS_FD, static_cast<std::uint32_t>(spec.netns_fd));
    auto* info = m.nest_start(IFLA_LINKINFO);
    m.put_strz(IFLA_INFO_KIND, "macvlan");
    auto* data = m.nest_start(IFLA_INFO_DATA);
    m.put_u32(IFLA_MACVLAN_MODE, static_cast<std::uint32_t>(spec.mode));
    if (spec.bc_queue_len) m.put_u32(IFLA_MACVLAN_BC_QUEUE_LEN, *spec.bc_queue_len);
    m.nest_end(data);
    m.nest_end(info);
    return m;
}

Message ipvlan_message(const IpvlanSpec& spec) {
    auto m = new_link(spec.name, spec.mtu, {});
    m.put_u32(IFLA_LINK, static_cast<std::uint32_t>(spec.parent));
    if (spec.netns_fd >= 0) m.put_u32(IFLA_NET_NS_FD, static_cast<std::uint32_t>(spec.netns_fd));
    auto* info = m.nest_start(IFLA_LINKINFO);
    m.put_strz(IFLA_INFO_KIND, "ipvlan");
    auto* data = m.nest_start(IFLA_INFO_DATA);
    auto mode = static_cast<std::uint16_t>(spec.mode);
    m.put(IFLA_IPVLAN_MODE, &mode, sizeof mode);
    m.put(IFLA_IPVLAN_FLAGS, &spec.flags, sizeof spec.flags);
    m.nest_end(data);
    m.nest_end(info);
    return m;
}

Message bridge_port_message(int index, const BridgePortFlags& f) {
    // AF_BRIDGE + RTM_SETLINK reaches the bridge driver's port settings; IFLA_PROTINFO
    // must carry NLA_F_NESTED (nest_start sets it) or the kernel reads it as an STP state.
    Message m(RTM_SETLINK, 0);
    detail::put_ifinfo(m, index, AF_BRIDGE);
    auto* proto = m.nest_start(IFLA_PROTINFO);
    if (f.hairpin) m.put_u8(IFLA_BRPORT_MODE, *f.hairpin ? 1 : 0);
    if (f.isolated) m.put_u8(IFLA_BRPORT_ISOLATED, *f.isolated ? 1 : 0);
    m.nest_end(proto);
    return m;
}

}  // namespace netlib::netlink
