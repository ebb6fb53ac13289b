#include "config.hpp"

#include "netlib/cni/config_fields.hpp"

namespace portmap {

using netlib::Code;
using netlib::Expected;
using netlib::fail;
using nlohmann::json;
namespace nat = netlib::nat;

namespace {

Expected<nat::PortMapping> parse_mapping(const json& j, std::size_t i) {
    const std::string where = "runtimeConfig.portMappings[" + std::to_string(i) + "]";
    if (!j.is_object()) return fail(Code::InvalidConfig, where + " must be an object");
    nat::PortMapping m;
    auto host = NETLIB_TRY(netlib::cni::get_int(j, "hostPort", 1, 65535));
    auto ctr = NETLIB_TRY(netlib::cni::get_int(j, "containerPort", 1, 65535));
    if (!host || !ctr)
        return fail(Code::InvalidConfig, where + " needs hostPort and containerPort (1-65535)");
    m.host_port = static_cast<std::uint16_t>(*host);
    m.container_port = static_cast<std::uint16_t>(*ctr);
    m.protocol = NETLIB_TRY(netlib::cni::get_string(j, "protocol", "tcp"));
    for (char& c : m.protocol) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (m.protocol != "tcp" && m.protocol != "udp" && m.protocol != "sctp")
        return fail(Code::InvalidConfig,
                    where + ".protocol \"" + m.protocol + "\": want tcp, udp or sctp");
    auto host_ip = NETLIB_TRY(netlib::cni::get_string(j, "hostIP"));
    if (!host_ip.empty()) {
        auto a = netlib::ip::Addr::parse(host_ip);
        if (!a)
            return fail(Code::InvalidConfig,
                        where + ".hostIP \"" + host_ip + "\" is not an IP address");
        // 0.0.0.0 / :: mean "every address of that family".
        if (!a->is_unspecified()) m.host_ip = *a;
    }
    return m;
}

Expected<std::vector<std::string>> get_strings(const json& c, std::string_view key) {
    std::vector<std::string> out;
    auto it = c.find(key);
    if (it == c.end() || it->is_null()) return out;
    if (!it->is_array())
        return fail(Code::InvalidConfig,
                    "config key \"" + std::string(key) + "\" must be a list of strings");
    for (const auto& v : *it) {
        if (!v.is_string())
            return fail(Code::InvalidConfig,
                        "config key \"" + std::string(key) + "\" must be a list of strings");
        out.push_back(v.get<std::string>());
    }
    return out;
}

}  // namespace

Expected<Config> parse_config(const netlib::cni::Request& req) {
    const json& c = req.config;
    Config cfg;
    cfg.backend = NETLIB_TRY(netlib::cni::get_string(c, "backend"));
    if (!cfg.backend.empty() && cfg.backend != "iptables" && cfg.backend != "nftables")
        return fail(Code::InvalidConfig,
                    "backend must be \"iptables\" or \"nftables\", got \"" + cfg.backend + "\"");
    cfg.snat = NETLIB_TRY(netlib::cni::get_bool(c, "snat", true));
    cfg.masq_all = NETLIB_TRY(netlib::cni::get_bool(c, "masqAll", false));
    auto bit = NETLIB_TRY(netlib::cni::get_int(c, "markMasqBit", 0, 31));
    cfg.external_setmark_chain = NETLIB_TRY(netlib::cni::get_string(c, "externalSetMarkChain"));
    if (bit && !cfg.external_setmark_chain.empty())
        return fail(Code::InvalidConfig,
                    "markMasqBit and externalSetMarkChain exclude each other (the external "
                    "chain decides the mark)");
    if (bit) cfg.mark_masq_bit = static_cast<int>(*bit);
    if (cfg.external_setmark_chain.size() > 28)
        return fail(Code::InvalidConfig, "externalSetMarkChain \"" + cfg.external_setmark_chain +
                                             "\" is longer than iptables' 28 characters");
    cfg.conditions_v4 = NETLIB_TRY(get_strings(c, "conditionsV4"));
    cfg.conditions_v6 = NETLIB_TRY(get_strings(c, "conditionsV6"));
    const json& pm = req.runtime_config("portMappings");
    if (!pm.is_null()) {
        if (!pm.is_array())
            return fail(Code::InvalidConfig, "runtimeConfig.portMappings must be a list");
        for (std::size_t i = 0; i < pm.size(); ++i)
            cfg.mappings.push_back(NETLIB_TRY(parse_mapping(pm[i], i)));
    }
    return cfg;
}

nat::PortmapRequest make_request(const Config& cfg, const netlib::cni::Request& req) {
    nat::PortmapRequest r{.network = req.name,
                          .container_id = req.container_id,
                          .container_ips = {},
                          .mappings = {},
                          .host_ifaces = {},
                          .snat = cfg.snat,
                          .masq_all = cfg.masq_all,
                          .mark_masq_bit = cfg.mark_masq_bit,
                          .external_setmark_chain = cfg.external_setmark_chain,
                          .conditions_v4 = cfg.conditions_v4,
                          .conditions_v6 = cfg.conditions_v6};
    if (req.prev_result) {
        for (const auto& ip : req.prev_result->ips) r.container_ips.push_back(ip.address);
        for (const auto& i : req.prev_result->interfaces)
            if (i.sandbox.empty() && !i.name.empty()) r.host_ifaces.push_back(i.name);
    }
    for (const auto& m : cfg.mappings)
        if (!m.host_ip || r.target(m.host_ip->family())) r.mappings.push_back(m);
    return r;
}

}  // namespace portmap
