#include "netlib/cni/config_fields.hpp"
#include "netlib/sublink/sublink.hpp"

namespace netlib::sublink {

Expected<CommonConfig> parse_common(const cni::Request& req) {
    const auto& c = req.config;
    CommonConfig cfg;
    cfg.master = NETLIB_TRY(cni::get_string(c, "master"));
    if (cfg.master.size() > 15)
        return fail(Code::InvalidConfig, "\"master\" \"" + cfg.master + "\" is longer than 15 characters");
    if (auto mtu = NETLIB_TRY(cni::get_int(c, "mtu", 0, 65535)); mtu && *mtu > 0) cfg.mtu = static_cast<int>(*mtu);
    cfg.link_in_container = NETLIB_TRY(cni::get_bool(c, "linkInContainer", false));
    if (c.contains("ipam") && !c["ipam"].is_null()) {
        if (!c["ipam"].is_object()) return fail(Code::InvalidConfig, "\"ipam\" must be an object");
        // {} means L2 only; an object with keys must name its plugin.
        if (!c["ipam"].empty()) {
            cfg.ipam_type = NETLIB_TRY(cni::get_string(c["ipam"], "type"));
            if (cfg.ipam_type.empty())
                return fail(Code::InvalidConfig, "\"ipam\" has no \"type\"; use \"ipam\": {} for an interface without addresses");
        }
    }
    cfg.dns = NETLIB_TRY(cni::get_dns(c));
    return cfg;
}

}  // namespace netlib::sublink
