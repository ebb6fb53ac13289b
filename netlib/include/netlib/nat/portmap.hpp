#pragma once
// Published ports (the portmap plugin's runtimeConfig.portMappings) behind one interface,
// so the plugin does not care whether iptables or nftables does the work. Like MasqBackend,
// every call is one atomic transaction per address family, and DEL/GC find a container's
// state by (network, containerID) alone.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "netlib/error.hpp"
#include "netlib/ip/addr.hpp"

namespace netlib::nat {

struct PortMapping {
    std::uint16_t host_port = 0;
    std::uint16_t container_port = 0;
    std::string protocol = "tcp";     // tcp | udp | sctp
    std::optional<ip::Addr> host_ip;  // nullopt: every local address of both families
    friend bool operator==(const PortMapping&, const PortMapping&) = default;
};

struct PortmapRequest {
    std::string network;
    std::string container_id;
    // The container's addresses with their subnet (prevResult); the first of each family is
    // the DNAT target, and connections from its subnet (the container itself, its
    // neighbours on the bridge) are masqueraded so the replies come back through the host.
    std::vector<ip::Net> container_ips;
    std::vector<PortMapping> mappings;
    // Host-side interfaces towards the container (prevResult interfaces without sandbox):
    // nftables masquerades DNAT'd connections that came in on them (hairpin, neighbours).
    std::vector<std::string> host_ifaces;
    bool snat = true;       // masquerade hairpin and localhost traffic so replies come back
    bool masq_all = false;  // masquerade every connection to a published port
    int mark_masq_bit = 13;
    std::string external_setmark_chain;  // iptables: mark via this chain, create none
    std::vector<std::string> conditions_v4, conditions_v6;  // iptables match words

    // The DNAT target of family f, if the container has an address of it.
    std::optional<ip::Net> target(ip::Family f) const;
    // Whether mapping m is published on family f (a hostIP restricts it to its family).
    static bool applies(const PortMapping& m, ip::Family f) {
        return !m.host_ip || m.host_ip->family() == f;
    }
};

// An add() under way (PortmapBackend::start_add).
class PendingPortmapAdd {
  public:
    virtual ~PendingPortmapAdd() = default;
    // The outcome add() would have given.
    virtual Expected<> finish() = 0;
};

class PortmapBackend {
  public:
    virtual ~PortmapBackend() = default;
    virtual std::string_view name() const = 0;
    // Publishes req.mappings, replacing this container's previous state. All or nothing.
    virtual Expected<> add(const PortmapRequest& req) = 0;
    // add() in two halves. start_add() changes no rule: the iptables backend starts its
    // iptables-restore processes here, to start up while the caller records the ports;
    // they get their batch in finish(). Dropped unfinished, nothing was written. The
    // handle must not outlive the backend. The default does it all in finish().
    virtual Expected<std::unique_ptr<PendingPortmapAdd>> start_add(const PortmapRequest& req);
    // Removes everything add() made for (network, containerID); nothing there is success.
    virtual Expected<> del(std::string_view network, std::string_view container_id) = 0;
    // del() when the caller knows what ADD was given (DEL with the cached result and port
    // mappings): a backend may go straight for those rules. Same outcome as del().
    virtual Expected<> del_known(const PortmapRequest& req) { return del(req.network, req.container_id); }
    // Verifies the rules for req; the error (Code::CheckFailed) names what is missing.
    virtual Expected<> check(const PortmapRequest& req) = 0;
    // Removes the state of every container of `network` whose ID is not in valid_ids.
    virtual Expected<> gc(std::string_view network, std::span<const std::string> valid_ids) = 0;
};

// "iptables", "nftables", or "" for the reference's choice: iptables when
// iptables-restore can be found, else nftables. Unknown names: Code::InvalidConfig.
Expected<std::unique_ptr<PortmapBackend>> make_portmap_backend(std::string_view name);

// Both backends, for teardown (DEL/GC clean whatever either one made).
std::vector<std::unique_ptr<PortmapBackend>> all_portmap_backends();

}  // namespace netlib::nat
