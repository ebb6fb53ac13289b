#include "net/sublink_resolve.hpp"

namespace netrun::net {

netlib::Expected<std::optional<netlib::cni::NetworkConfigList>> resolve_sublink_network(
    const std::string& spec) {
    if (!spec.starts_with("macvlan") && !spec.starts_with("ipvlan")) return std::nullopt;
    return netlib::fail(netlib::Code::UnsupportedField, "--net " + spec + ": not yet");
}

}  // namespace netrun::net
