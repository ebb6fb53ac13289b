// VLAN steps of ADD and CHECK: the port's VLAN table as the config asks (an access port gets
// its vlan as PVID + untagged, a trunk port its ranges tagged; VLAN 1, which the kernel gives
// every new port, is dropped unless preserveDefaultVlan).
#include "bridge_steps.hpp"
#include "netlib/netlink/bridge_vlan.hpp"

namespace bridge {

using netlib::Code;
using netlib::Expected;
using netlib::fail;
namespace nl = netlib::netlink;

Expected<> set_port_vlans(nl::Socket& host, const Config& cfg, int port_index) {
    if (!cfg.vlan_filtering()) return {};
    if (!cfg.preserve_default_vlan) NETLIB_TRYV(nl::del_port_vlan(host, port_index, {.vid = 1}));
    if (cfg.vlan != 0)
        NETLIB_TRYV(
            nl::add_port_vlan(host, port_index, {.vid = cfg.vlan, .pvid = true, .untagged = true}));
    for (const auto& [lo, hi] : cfg.trunk)
        NETLIB_TRYV(nl::add_port_vlan(host, port_index, {.vid = lo, .vid_end = hi}));
    return {};
}

Expected<> check_port_vlans(nl::Socket& host, const Config& cfg, const std::string& port,
                            int port_index) {
    if (!cfg.vlan_filtering()) return {};
    auto have = NETLIB_TRY(nl::port_vlans(host, port_index));
    auto find = [&](std::uint16_t vid) -> const nl::PortVlan* {
        for (const auto& v : have)
            if (v.vid == vid) return &v;
        return nullptr;
    };
    const std::string where = "host veth \"" + port + "\": ";
    if (cfg.vlan != 0) {
        const auto* v = find(cfg.vlan);
        if (!v || !v->pvid || !v->untagged)
            return fail(Code::CheckFailed,
                        where + "VLAN " + std::to_string(cfg.vlan) + " is not its PVID untagged");
    }
    for (const auto& [lo, hi] : cfg.trunk)
        for (unsigned vid = lo; vid <= hi; ++vid)
            if (!find(static_cast<std::uint16_t>(vid)))
                return fail(Code::CheckFailed,
                            where + "trunk VLAN " + std::to_string(vid) + " is missing");
    if (!cfg.preserve_default_vlan && cfg.vlan != 1 && find(1))
        return fail(Code::CheckFailed,
                    where + "still carries default VLAN 1 (preserveDefaultVlan is false)");
    return {};
}

}  // namespace bridge
