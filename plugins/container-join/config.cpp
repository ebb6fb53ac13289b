#include <algorithm>

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
        // [a-zA-Z0-9][a-zA-Z0-9_.-]*, checked by hand: std::regex would set up the C++
        // locale, ~0.2 ms of the exec.
        auto alnum = [](char ch) {
            return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
        };
        const bool name_ok = alnum(target.front()) &&
                             std::all_of(target.begin(), target.end(), [&](char ch) {
                                 return alnum(ch) || ch == '_' || ch == '.' || ch == '-';
                             });
        if (target.size() > 200 || !name_ok)
            return fail(Code::InvalidConfig, "\"container\" \"" + target +
                                                 "\" is neither an absolute netns path nor a container name "
                                                 "([a-zA-Z0-9][a-zA-Z0-9_.-]*)");
        cfg.target = netns_dir + "/netrun-" + target;
    }
    return cfg;
}

}  // namespace container_join
