#pragma once
// --net=macvlan[:PARENT] / ipvlan[:PARENT][,mode=M]: the conflist generated for the parent
// interface of the runner's netns (sublink_network.hpp), parsed like a file would be.
#include <optional>
#include <string>

#include "netlib/cni/conflist.hpp"
#include "netlib/error.hpp"

namespace netrun::net {

// nullopt when `spec` is not a macvlan/ipvlan network spec.
netlib::Expected<std::optional<netlib::cni::NetworkConfigList>> resolve_sublink_network(
    const std::string& spec);

}  // namespace netrun::net
