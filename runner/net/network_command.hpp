#pragma once
// `netrun network ls|inspect|create|rm`: docker's `docker network` habits over the conflists
// of the user's config dir (user_conf_dir(): /etc/cni/net.d or $NETRUN_CNI_CONF_DIR).
#include <functional>
#include <span>
#include <string_view>

namespace netrun::net {

// What the command asks of the rest of the runner.
struct NetworkCommandHooks {
    // rm refuses a network for which this returns true (containers attached to it).
    std::function<bool(std::string_view network)> in_use;
};

// Exit status: 0 ok, 1 an operation failed, 2 usage error.
int network_main(std::span<const std::string_view> args);  // in_use: always false
int network_main_with(const NetworkCommandHooks& hooks, std::span<const std::string_view> args);

}  // namespace netrun::net
