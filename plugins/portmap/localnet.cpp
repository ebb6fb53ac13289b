#include "netlib/sys/sysctl.hpp"
#include "steps.hpp"

namespace portmap {

netlib::Expected<> enable_route_localnet(const netlib::cni::Result& prev) {
    for (const auto& i : prev.interfaces) {
        if (!i.sandbox.empty() || i.name.empty()) continue;
        auto r = netlib::sys::sysctl_set("net.ipv4.conf." + i.name + ".route_localnet", "1");
        if (!r)
            return std::unexpected(netlib::with_context(r.error(), "publish ports on 127.0.0.1"));
    }
    return {};
}

}  // namespace portmap
