#pragma once
// A container's network, from its NetworkPlan to kernel state and back: the netns pinned at
// /run/netns/netrun-<name> (so `ip netns` sees it and DEL works after the container died),
// lo up, then one CNI ADD per network through the libcni-compatible runtime and cache; and
// the reverse. What was attached is kept (to_json) in the container's state, so any later
// process (monitor, `rm`, `ps`, `netrun gc`) can detach it.
#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "net/network_plan.hpp"
#include "netlib/cni/runtime.hpp"
#include "netlib/error.hpp"

namespace netrun::net {

inline constexpr std::string_view kNetnsPrefix = "/run/netns/netrun-";

struct AttachedNetwork {
    std::string network;  // CNI network name
    std::string ifname;
    std::string config;  // the conflist as attached (DEL needs it when the cache is gone)
    nlohmann::json result;
};

struct ContainerNetwork {
    NetMode mode = NetMode::None;
    std::string netns;  // pinned path (None, Cni), or the joined one (Container), empty for Host
    bool pinned = false;
    std::vector<AttachedNetwork> attachments;
    nlohmann::json ports = nlohmann::json::array();

    // Container addresses (no prefix) and the first gateway, from the CNI results.
    std::vector<std::string> addresses() const;
    std::string gateway() const;
};

nlohmann::json to_json(const ContainerNetwork& n);
ContainerNetwork network_from_json(const nlohmann::json& j);

// The runtime netrun uses: our plugins first on CNI_PATH, the CNI cache in /var/lib/cni.
netlib::cni::Runtime default_runtime();

// A network's conflist: "bridge" is the project's default network "netrun"; macvlan[:P] and
// ipvlan[:P][,mode=M] are generated for the parent's subnet; anything else is looked up by
// name in the configuration directories.
netlib::Expected<netlib::cni::NetworkConfigList> resolve_network(const std::string& spec);

std::string netns_path_for(const std::string& container_name);

// Pins the netns of `pid` and attaches every network of `plan` (None: just lo). On failure
// everything done so far is undone and the error names the network.
netlib::Expected<ContainerNetwork> attach_networks(const netlib::cni::Runtime& runtime,
                                                   const NetworkPlan& plan,
                                                   const std::string& container_id,
                                                   const std::string& container_name, pid_t pid);

// The same for a netns already pinned at `netns` (create_netns): lo up and the ADDs; on
// failure the ADDs are undone, the pin is the caller's.
netlib::Expected<ContainerNetwork> attach_at(const netlib::cni::Runtime& runtime, const NetworkPlan& plan,
                                             const std::string& container_id, const std::string& netns);
// A new netns pinned at `path` (a stale pin of a dead container of that name is replaced).
netlib::Expected<> create_netns(const std::string& path);

// CNI DEL of every attachment in reverse order (cached config and args, so portmap finds its
// mappings) and removal of the pin. Idempotent; goes on past errors and returns them joined.
// `container_gone`: no process of the container is left, so the pin is the netns' last
// reference and goes first: the kernel then dismantles the netns and its veth ends in the
// background, and DEL does not wait ~20 ms for each link deletion's RCU grace period.
netlib::Expected<> detach_networks(const netlib::cni::Runtime& runtime, const ContainerNetwork& net,
                                   const std::string& container_id, bool container_gone = false);

}  // namespace netrun::net
