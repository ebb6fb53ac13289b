// `netrun network`: the conflist commands of runner/net, with rm refusing a network that a
// container of ours is attached to (docker: "network has active endpoints").
#include "net/network_command.hpp"

#include "lifecycle.hpp"
#include "net/container_network.hpp"
#include "network_ops.hpp"
#include "state.hpp"

namespace netrun::lifecycle {

int network_main(std::span<const std::string_view> args) {
    net::NetworkCommandHooks hooks;
    hooks.in_use = [](std::string_view network) {
        StateStore states;
        auto all = states.list();
        if (!all) return true;  // cannot tell: refuse rather than strand containers
        for (const auto& s : *all) {
            if (!network_attached(s)) continue;
            for (const auto& a : net::network_from_json(s.network).attachments)
                if (a.network == network) return true;
        }
        return false;
    };
    return net::network_main_with(hooks, args);
}

}  // namespace netrun::lifecycle
