#include "config.hpp"

#include <vector>

#include "netlib/cni/config_fields.hpp"
#include "netlib/netlink/mac.hpp"

namespace tuning {

using netlib::Code;
using netlib::Expected;
using netlib::fail;
namespace cni = netlib::cni;

namespace {

std::vector<std::string> split_dots(const std::string& key) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        auto dot = key.find('.', start);
        parts.push_back(key.substr(start, dot - start));
        if (dot == std::string::npos) return parts;
        start = dot + 1;
    }
}

Expected<std::optional<bool>> opt_bool(const nlohmann::json& cfg, const char* key) {
    if (!cfg.contains(key) || cfg[key].is_null()) return std::optional<bool>{};
    return std::optional<bool>{NETLIB_TRY(cni::get_bool(cfg, key, false))};
}

}  // namespace

Expected<std::string> validate_sysctl_key(std::string key, const std::string& ifname) {
    // Slashes are the /proc/sys form of the same key; a key naming a path outside /proc/sys/net
    // must not be reachable through either spelling.
    if (key.find('/') != std::string::npos)
        return fail(Code::InvalidConfig,
                    "sysctl key \"" + key + "\" contains '/': use the dotted form (net.ipv4.x)");
    auto parts = split_dots(key);
    if (parts.size() < 2 || parts[0] != "net")
        return fail(
            Code::InvalidConfig,
            "sysctl key \"" + key + "\" is not under net.: only network sysctls can be set");
    for (const auto& p : parts)
        if (p.empty() || p == "..")
            return fail(Code::InvalidConfig,
                        "sysctl key \"" + key + "\" has an empty or '..' component");
    // net.ipv4.conf.<if>.*, net.ipv6.conf.<if>.*, net.ipv4.neigh.<if>.*, net.ipv6.neigh.<if>.*
    const bool per_if = parts.size() >= 5 && (parts[1] == "ipv4" || parts[1] == "ipv6") &&
                        (parts[2] == "conf" || parts[2] == "neigh");
    if (per_if && parts[3] != ifname && parts[3] != "all" && parts[3] != "default")
        return fail(Code::InvalidConfig, "sysctl key \"" + key + "\" belongs to interface \"" +
                                             parts[3] + "\", not to CNI_IFNAME \"" + ifname + "\"");
    return key;
}

Expected<Config> parse_config(const cni::Request& req) {
    const auto& cfg = req.config;
    Config c;
    if (cfg.contains("sysctl") && !cfg["sysctl"].is_null()) {
        if (!cfg["sysctl"].is_object())
            return fail(Code::InvalidConfig, "\"sysctl\" must be an object of key: value strings");
        for (const auto& [k, v] : cfg["sysctl"].items()) {
            if (!v.is_string())
                return fail(Code::InvalidConfig, "sysctl \"" + k + "\" must have a string value");
            c.sysctl[NETLIB_TRY(validate_sysctl_key(k, req.ifname))] = v.get<std::string>();
        }
    }
    // A MAC from runtimeConfig / args / CNI_ARGS wins over the static config, as the reference
    // does.
    c.mac = NETLIB_TRY(cni::requested_mac(req));
    if (c.mac.empty()) {
        auto m = NETLIB_TRY(cni::get_string(cfg, "mac"));
        auto parsed = netlib::netlink::parse_mac(m);
        if (!m.empty() && (!parsed || ((*parsed)[0] & 1)))
            return fail(Code::InvalidConfig,
                        "invalid \"mac\" \"" + m + "\" (want a unicast aa:bb:cc:dd:ee:ff)");
        if (parsed) c.mac = netlib::netlink::format_mac(parsed->data(), parsed->size());
    }
    if (auto m = NETLIB_TRY(cni::get_int(cfg, "mtu", 68, 65535))) c.mtu = static_cast<int>(*m);
    c.promisc = NETLIB_TRY(opt_bool(cfg, "promisc"));
    c.allmulti = NETLIB_TRY(opt_bool(cfg, "allmulti"));
    if (auto q = NETLIB_TRY(cni::get_int(cfg, "txQLen", 0, 0xffffffffLL)))
        c.txqlen = static_cast<std::uint32_t>(*q);
    c.data_dir = NETLIB_TRY(cni::get_string(cfg, "dataDir", c.data_dir));
    if (c.data_dir.empty() || c.data_dir[0] != '/')
        return fail(Code::InvalidConfig, "\"dataDir\" must be an absolute path");
    return c;
}

}  // namespace tuning
