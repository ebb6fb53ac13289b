#pragma once
// Links: lookup, create (bridge, veth, macvlan), change, delete. Message builders are exposed so
// unit tests can check the bytes without root.
#include <net/if.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "netlib/error.hpp"
#include "netlib/netlink/socket.hpp"

namespace netlib::netlink {

struct LinkInfo {
    int index = 0;
    std::string name;
    std::string kind;  // IFLA_INFO_KIND ("bridge", "veth", ...), empty for e.g. lo
    unsigned mtu = 0;
    std::string mac;  // "aa:bb:cc:dd:ee:ff", empty if none
    unsigned flags = 0;  // IFF_*
    bool up = false;
    bool oper_up = false;
    int master = 0;  // bridge index, 0 if none
    int link = 0;    // IFLA_LINK: a veth's peer or a macvlan's parent index (maybe in another netns)
    int link_netnsid = -1;  // IFLA_LINK_NETNSID: where `link` lives, as seen from this netns; -1 = same
    std::uint32_t sublink_mode = 0;  // macvlan IFLA_MACVLAN_MODE / ipvlan IFLA_IPVLAN_MODE
};

// MAC fields below are "aa:bb:cc:dd:ee:ff" text, empty = kernel's choice; an invalid one
// fails the request with Code::InvalidConfig before anything is sent.
struct BridgeSpec {
    std::string name;
    std::optional<int> mtu;
    std::string mac;
};

struct VethSpec {
    std::string name;       // this end, in the socket's netns
    std::string peer_name;  // created directly in peer_netns_fd's netns
    int peer_netns_fd = -1;
    std::optional<int> mtu;
    std::string peer_mac;
    std::string mac;
};

// macvlan modes (IFLA_MACVLAN_MODE values).
enum class MacvlanMode : std::uint32_t { Private = 1, Vepa = 2, Bridge = 4, Passthru = 8, Source = 16 };

struct MacvlanSpec {
    std::string name;  // created under this name, directly in netns_fd's netns if given
    int parent = 0;    // index of the lower device, in the socket's netns
    MacvlanMode mode = MacvlanMode::Bridge;
    int netns_fd = -1;
    std::optional<int> mtu;
    std::string mac;
    std::optional<std::uint32_t> bc_queue_len;  // IFLA_MACVLAN_BC_QUEUE_LEN
};

// ipvlan modes (IFLA_IPVLAN_MODE) and flags (IFLA_IPVLAN_FLAGS: 0 bridge, 1 private, 2 vepa).
enum class IpvlanMode : std::uint16_t { L2 = 0, L3 = 1, L3S = 2 };

struct IpvlanSpec {
    std::string name;  // created under this name, directly in netns_fd's netns if given
    int parent = 0;    // index of the master, in the socket's netns
    IpvlanMode mode = IpvlanMode::L2;
    std::uint16_t flags = 0;
    int netns_fd = -1;
    std::optional<int> mtu;
};

struct BridgePortFlags {
    std::optional<bool> hairpin;
    std::optional<bool> isolated;
};

Message bridge_message(const BridgeSpec& spec);
Message veth_message(const VethSpec& spec);
Message macvlan_message(const MacvlanSpec& spec);
Message ipvlan_message(const IpvlanSpec& spec);
Message bridge_port_message(int index, const BridgePortFlags& flags);

// nullopt when no such link exists.
Expected<std::optional<LinkInfo>> get_link(Socket& s, const std::string& name);
Expected<std::optional<LinkInfo>> get_link(Socket& s, int index);
// Every link of the socket's netns.
Expected<std::vector<LinkInfo>> list_links(Socket& s);

// EEXIST is reported with Error::sys_errno == EEXIST.
Expected<> create_bridge(Socket& s, const BridgeSpec& spec);
Expected<> create_veth(Socket& s, const VethSpec& spec);
Expected<> create_macvlan(Socket& s, const MacvlanSpec& spec);
Expected<> create_ipvlan(Socket& s, const IpvlanSpec& spec);

Expected<> set_up(Socket& s, int index);
Expected<> set_down(Socket& s, int index);
Expected<> set_promisc(Socket& s, int index, bool on);
Expected<> set_mtu(Socket& s, int index, int mtu);
Expected<> set_mac(Socket& s, int index, const std::string& mac);
Expected<> set_master(Socket& s, int index, int master);  // 0: detach
Expected<> rename(Socket& s, int index, const std::string& name);
Expected<> set_netns(Socket& s, int index, int netns_fd);
Expected<> set_bridge_port(Socket& s, int index, const BridgePortFlags& flags);
// ENODEV is reported with Error::sys_errno == ENODEV (DEL paths tolerate it).
Expected<> delete_link(Socket& s, int index);
Expected<> delete_link(Socket& s, const std::string& name);

}  // namespace netlib::netlink
