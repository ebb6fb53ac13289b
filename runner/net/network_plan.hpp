#pragma once
// What `netrun run --net ... -p ... --ip --mac` asks for, checked the way docker checks it,
// before anything is created. Pure: no kernel, no files.
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "netlib/error.hpp"

namespace netrun::net {

enum class NetMode {
    None,       // own netns, loopback only
    Host,       // the runner's netns
    Container,  // another container's netns (--net=container:NAME)
    Cni,        // own netns, one interface per CNI network (eth0, eth1, ...)
};

struct NetworkPlan {
    NetMode mode = NetMode::Cni;
    std::string container;  // Container: the target's name or id
    std::vector<std::string>
        networks;  // Cni: --net values in order ("bridge", "macvlan:eth0", NAME)
    nlohmann::json port_mappings = nlohmann::json::array();  // portMappings capability
    std::string ip, mac;                                     // for the first network
};

// nets: every --net/--network value in order (empty: "bridge", docker's default).
// Docker's rejections: host/none/container: alone; -p, --ip, --mac only with CNI networks.
netlib::Expected<NetworkPlan> plan_networks(std::span<const std::string> nets,
                                            std::span<const std::string> publish,
                                            const std::string& ip, const std::string& mac);

// Interface name of the i-th CNI network.
std::string interface_name(std::size_t index);

std::string_view mode_name(NetMode m);

}  // namespace netrun::net
