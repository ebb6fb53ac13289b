#include "netlib/conntrack/conntrack.hpp"

#include <netinet/in.h>

#include "steps.hpp"

namespace portmap {

netlib::Expected<> flush_udp_conntrack(std::span<const netlib::nat::PortMapping> mappings) {
    for (const auto& m : mappings) {
        if (m.protocol != "udp") continue;
        for (auto f : {netlib::ip::Family::V4, netlib::ip::Family::V6}) {
            if (!netlib::nat::PortmapRequest::applies(m, f)) continue;
            auto r = netlib::conntrack::delete_by_dst_port(f, IPPROTO_UDP, m.host_port);
            if (!r)
                return std::unexpected(
                    netlib::with_context(r.error(), "flush UDP conntrack of published ports"));
        }
    }
    return {};
}

}  // namespace portmap
