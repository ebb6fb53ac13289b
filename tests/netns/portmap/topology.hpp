#pragma once
// The portmap test world, inside the test binary's private netns (= "the host"): a bridge
// network (bridge + host-local, IPv4 10.22.0.0/24 and IPv6 fd22::/64) whose containers get
// portmap chained with the bridge's result, and an "outside" netns on a veth with its own
// subnets (192.168.77.0/24, fd77::/64) playing another host.
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cni_call.hpp"

namespace pmtest {

inline constexpr const char* kHostV4 = "192.168.77.1";
inline constexpr const char* kHostV6 = "fd77::1";
inline constexpr const char* kNetwork = "pmnet";

struct Container {
    std::string id, netns_name, netns;  // netns: /run/netns/<name>
    nlohmann::json result;              // the bridge's ADD result (portmap's prevResult)
    std::string ip4() const;
    std::string ip6() const;
};

class Topology {
  public:
    explicit Topology(std::string backend, bool dual_stack = true);
    ~Topology();  // DELs every container (portmap, then bridge) and removes the netns

    std::string outside() const { return "/run/netns/pm-out"; }
    std::string backend() const { return backend_; }

    // Bridge ADD for a new container netns; the container's state lives until ~Topology.
    const Container& attach(const std::string& id);
    // portmap config for the container with the given mappings (runtimeConfig.portMappings).
    nlohmann::json portmap_conf(const std::string& id, const nlohmann::json& mappings) const;
    testcni::Reply portmap(const std::string& cmd, const std::string& id,
                           const nlohmann::json& mappings);

  private:
    std::string backend_;
    bool dual_stack_;
    std::map<std::string, Container> containers_;
    std::map<std::string, nlohmann::json> published_;
};

// Current NAT state as text: iptables-save (v4 and v6 nat+raw) and the nft ruleset.
std::string nat_state();

}  // namespace pmtest
