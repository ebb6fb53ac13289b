#include "config.hpp"

#include "netlib/cni/config_fields.hpp"
#include "netlib/cni/validate_names.hpp"

namespace bridge {

using netlib::Code;
using netlib::fail;
using nlohmann::json;
namespace cni = netlib::cni;

netlib::Expected<Config> parse_config(const cni::Request& req) {
    const json& c = req.config;
    Config cfg;
    cfg.bridge = NETLIB_TRY(cni::get_string(c, "bridge", "cni0"));
    NETLIB_TRYV(cni::validate_link_name(cfg.bridge, "bridge"));
    cfg.is_default_gateway = NETLIB_TRY(cni::get_bool(c, "isDefaultGateway", false));
    cfg.is_gateway = cfg.is_default_gateway || NETLIB_TRY(cni::get_bool(c, "isGateway", false));
    cfg.force_address = NETLIB_TRY(cni::get_bool(c, "forceAddress", false));
    cfg.ip_masq = NETLIB_TRY(cni::get_bool(c, "ipMasq", false));
    cfg.ip_masq_backend = NETLIB_TRY(cni::get_string(c, "ipMasqBackend"));
    if (!cfg.ip_masq_backend.empty() && cfg.ip_masq_backend != "iptables" && cfg.ip_masq_backend != "nftables")
        return fail(Code::InvalidConfig, "ipMasqBackend must be \"iptables\" or \"nftables\", got \"" +
                                             cfg.ip_masq_backend + "\"");
    if (auto mtu = NETLIB_TRY(cni::get_int(c, "mtu", 0, 65535)); mtu && *mtu != 0) {
        if (*mtu < 68) return fail(Code::InvalidConfig, "mtu " + std::to_string(*mtu) + " is below the minimum of 68");
        cfg.mtu = static_cast<int>(*mtu);
    }
    cfg.hairpin_mode = NETLIB_TRY(cni::get_bool(c, "hairpinMode", false));
    cfg.promisc_mode = NETLIB_TRY(cni::get_bool(c, "promiscMode", false));
    if (cfg.hairpin_mode && cfg.promisc_mode)
        return fail(Code::InvalidConfig, "cannot set both hairpinMode and promiscMode (pick one way to "
                                         "let a container reach itself through the bridge)");
    cfg.macspoofchk = NETLIB_TRY(cni::get_bool(c, "macspoofchk", false));
    cfg.enable_dad = NETLIB_TRY(cni::get_bool(c, "enabledad", false));
    cfg.port_isolation = NETLIB_TRY(cni::get_bool(c, "portIsolation", false));
    cfg.disable_container_interface = NETLIB_TRY(cni::get_bool(c, "disableContainerInterface", false));
    NETLIB_TRYV(parse_vlan_keys(c, cfg));
    if (auto ipam = c.find("ipam"); ipam != c.end() && !ipam->is_null()) {
        if (!ipam->is_object()) return fail(Code::InvalidConfig, "config key \"ipam\" must be an object");
        cfg.ipam_type = NETLIB_TRY(cni::get_string(*ipam, "type"));
        if (!ipam->empty() && cfg.ipam_type.empty())
            return fail(Code::InvalidConfig, "ipam has keys but no \"type\" (use \"ipam\": {} for L2 only)");
    }
    if (cfg.disable_container_interface && !cfg.ipam_type.empty())
        return fail(Code::InvalidConfig, "disableContainerInterface cannot be used with IPAM (the container "
                                         "interface stays down, addresses would be unusable)");
    cfg.dns = NETLIB_TRY(cni::get_dns(c));
    cfg.mac = NETLIB_TRY(cni::requested_mac(req));
    return cfg;
}

}  // namespace bridge
