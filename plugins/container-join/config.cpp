#include <regex>

#include "join.hpp"
#include "netlib/cni/config_fields.hpp"

namespace container_join {

using netlib::Code;
using netlib::fail;

// `container` is a netns path (/run/netns/x, /proc/<pid>/ns/net, a runtime's bind mount) or
// the name of a netrun container, whose netns netrun keeps at <netnsDir>/netrun-<name>.
netlib::Expected<Config> parse_config(const netlib::cni::Request& req) {
    const auto& c = req.config;
    if (c.contains("ipam") && !c["ipam"].is_null())
        return fail(Code::InvalidConfig, "container-join takes no \"ipam\": the addresses are the joined container's");
    if (!c.contains("container"))
        return fail(Code::InvalidConfig, "missing \"container\": the netns path or netrun name of the container to join");
    auto target = NETLIB_TRY(netlib::cni::get_string(c, "container"));
    if (target.empty()) return fail(Code::InvalidConfig, "\"container\" is empty");
    auto netns_dir = NETLIB_TRY(netlib::cni::get_string(c, "netnsDir", "/run/netns"));
    Config cfg;
    cfg.record_dir = NETLIB_TRY(netlib::cni::get_string(c, "dataDir", "/run/netrun/container-join"));
    if (target.front() == '/') {
        cfg.target = target;
    } else {
        static const std::regex name_re("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
        if (target.size() > 200 || !std::regex_match(target, name_re))
            return fail(Code::InvalidConfig, "\"container\" \"" + target +
                                                 "\" is neither an absolute netns path nor a container name "
                                                 "([a-zA-Z0-9][a-zA-Z0-9_.-]*)");
        cfg.target = netns_dir + "/netrun-" + target;
    }
    return cfg;
}

}  // namespace container_join
