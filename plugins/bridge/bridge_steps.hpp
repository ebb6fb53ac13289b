#pragma once
// The steps of the bridge plugin's verbs, each a small function over Config.
#include <memory>
#include <string>

#include "config.hpp"
#include "netlib/nat/masq.hpp"
#include "netlib/cni/skel.hpp"
#include "netlib/netlink/link.hpp"
#include "netlib/netlink/socket.hpp"
#include "netlib/netns/netns.hpp"

namespace bridge {

struct VethPair {
    netlib::netlink::LinkInfo host;
    netlib::netlink::LinkInfo container;
};

// CNI_NETNS, opened; a missing namespace is "container unknown" (code 3).
netlib::Expected<netlib::netns::Netns> open_container_netns(const netlib::cni::Request& req);

// Create or adopt the bridge; an existing link of that name that is not a bridge is an
// error (code 104). Returns the bridge as it is now.
netlib::Expected<netlib::netlink::LinkInfo> ensure_bridge(netlib::netlink::Socket& host, const Config& cfg);

// veth with the peer created directly in the container netns as `ifname`; random host name.
netlib::Expected<VethPair> create_veth_pair(netlib::netlink::Socket& host, netlib::netlink::Socket& ctr,
                                            const netlib::netns::Netns& ctr_ns, const Config& cfg,
                                            const std::string& ifname);

// Enslave to the bridge, port flags (hairpin, isolated), host-side sysctls, link up.
netlib::Expected<> attach_host_veth(netlib::netlink::Socket& host, const Config& cfg,
                                    const netlib::netlink::LinkInfo& br,
                                    const netlib::netlink::LinkInfo& veth);

// vlan / vlanTrunk / preserveDefaultVlan on the host port (no-op without VLAN keys), and
// CHECK's comparison of the port's VLAN table with the config.
netlib::Expected<> set_port_vlans(netlib::netlink::Socket& host, const Config& cfg, int port_index);
netlib::Expected<> check_port_vlans(netlib::netlink::Socket& host, const Config& cfg, const std::string& port,
                                    int port_index);

// Inside the container netns: sysctls, addresses, up, routes.
netlib::Expected<> configure_container(netlib::netlink::Socket& ctr, const netlib::netns::Netns& ctr_ns,
                                       const Config& cfg, const std::string& ifname,
                                       const netlib::cni::Result& result);

// isGateway: gateway addresses on the bridge, forwarding on.
netlib::Expected<> ensure_gateway(netlib::netlink::Socket& host, const Config& cfg,
                                  const netlib::netlink::LinkInfo& br, const netlib::cni::Result& result);

// ipMasq, started as soon as the addresses are known and finished last, so that the
// rule writing (an iptables-restore process) overlaps the bridge's own kernel work.
class PendingMasquerade {
  public:
    static netlib::Expected<PendingMasquerade> start(const Config& cfg, const netlib::cni::Request& req,
                                                     const netlib::cni::Result& result);
    netlib::Expected<> finish() { return pending_->finish(); }

  private:
    std::unique_ptr<netlib::nat::MasqBackend> backend_;
    std::unique_ptr<netlib::nat::PendingMasqAdd> pending_;  // refers to backend_
};
netlib::Expected<> del_masquerade(const Config& cfg, const netlib::cni::Request& req);

// macspoofchk (nftables, table "bridge netrun_macspoof").
netlib::Expected<> add_macspoof(const netlib::cni::Request& req, const std::string& host_port, const std::string& mac);
netlib::Expected<> del_macspoof(const netlib::cni::Request& req);
netlib::Expected<> check_macspoof(const netlib::cni::Request& req, const std::string& host_port);
netlib::Expected<> gc_macspoof(const netlib::cni::Request& req);

netlib::Expected<netlib::cni::Result> cmd_add(const netlib::cni::Request& req);
netlib::Expected<> cmd_del(const netlib::cni::Request& req);
netlib::Expected<> cmd_check(const netlib::cni::Request& req);
netlib::Expected<> cmd_gc(const netlib::cni::Request& req);
netlib::Expected<> cmd_status(const netlib::cni::Request& req);

}  // namespace bridge
