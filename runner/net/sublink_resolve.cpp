#include "net/sublink_resolve.hpp"

#include "net/sublink_network.hpp"

namespace netrun::net {

netlib::Expected<std::optional<netlib::cni::NetworkConfigList>> resolve_sublink_network(const std::string& spec) {
    auto parsed = NETLIB_TRY(parse_sublink_network(spec));
    if (!parsed) return std::nullopt;
    // The parent is read now, in the runner's netns: the LAN as it is when the container starts.
    auto parent = discover_parent(parsed->parent);
    if (!parent) {
        auto e = parent.error();
        e.msg = "--net " + spec + ": " + e.msg;
        return std::unexpected(e);
    }
    auto conf = NETLIB_TRY(sublink_conflist(*parsed, *parent));
    return NETLIB_TRY(netlib::cni::parse_conflist(conf.dump()));
}

}  // namespace netrun::net
