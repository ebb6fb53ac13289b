#include "ipam/static_config.hpp"

#include "ipam/config_common.hpp"

namespace ipam {

using netlib::Code;
using netlib::Expected;
using netlib::fail;
using nlohmann::json;
namespace cni = netlib::cni;
namespace ip = netlib::ip;

namespace {

Expected<ip::Net> cidr(std::string_view text, std::string_view where) {
    auto n = ip::Net::parse(text);
    if (!n)
        return fail(Code::InvalidConfig, std::string(where) +
                                             ": address must be in CIDR notation "
                                             "(e.g. 10.10.0.5/24), got \"" +
                                             std::string(text) + "\"");
    return *n;
}

Expected<ip::Addr> gateway_for(const json& g, const ip::Net& addr, std::string_view where) {
    std::optional<ip::Addr> a;
    if (g.is_string()) a = ip::Addr::parse(g.get<std::string>());
    if (!a)
        return fail(Code::InvalidConfig,
                    std::string(where) + ".gateway must be an IP address, got " + g.dump());
    if (a->family() != addr.family())
        return fail(Code::InvalidConfig, std::string(where) + ": gateway " + a->str() +
                                             " and address " + addr.str() +
                                             " are of different address families");
    return *a;
}

Expected<std::vector<cni::IpConfig>> config_addresses(const json& ipam) {
    std::vector<cni::IpConfig> out;
    auto it = ipam.find("addresses");
    if (it == ipam.end() || it->is_null()) return out;
    if (!it->is_array())
        return fail(Code::InvalidConfig,
                    "ipam.addresses must be a list of {\"address\": CIDR}, got " + it->dump());
    for (std::size_t i = 0; i < it->size(); ++i) {
        const json& e = (*it)[i];
        const std::string where = "ipam.addresses[" + std::to_string(i) + "]";
        auto a = e.is_object() ? e.find("address") : e.end();
        if (!e.is_object() || a == e.end() || !a->is_string())
            return fail(Code::InvalidConfig,
                        where + " must be an object with an \"address\" (CIDR), got " + e.dump());
        cni::IpConfig c{NETLIB_TRY(cidr(a->get<std::string>(), where)), std::nullopt, std::nullopt};
        if (auto g = e.find("gateway"); g != e.end() && !g->is_null())
            c.gateway = NETLIB_TRY(gateway_for(*g, c.address, where));
        out.push_back(std::move(c));
    }
    return out;
}

Expected<> apply_cni_args(const cni::Request& req, std::vector<cni::IpConfig>& addrs) {
    if (auto ips = req.arg("IP"))
        for (const auto& item : split_list(*ips))
            addrs.push_back({NETLIB_TRY(cidr(item, "CNI_ARGS IP")), std::nullopt, std::nullopt});
    if (auto gws = req.arg("GATEWAY")) {
        for (const auto& item : split_list(*gws)) {
            auto gw = ip::Addr::parse(item);
            if (!gw)
                return fail(Code::InvalidConfig,
                            "CNI_ARGS GATEWAY: invalid gateway address \"" + item + "\"");
            bool used = false;
            for (auto& c : addrs) {
                if (!c.address.contains(*gw)) continue;
                c.gateway = *gw;
                used = true;
            }
            if (!used)
                return fail(Code::InvalidConfig,
                            "CNI_ARGS GATEWAY: " + gw->str() +
                                " is not in the subnet of any configured address");
        }
    }
    return {};
}

// A list of CIDR strings that replaces every address configured so far.
Expected<bool> replace_with(const json& list, std::string_view where,
                            std::vector<cni::IpConfig>& addrs) {
    if (list.is_null() || (list.is_array() && list.empty())) return false;
    if (!list.is_array())
        return fail(Code::InvalidConfig,
                    std::string(where) + " must be a list of CIDR strings, got " + list.dump());
    std::vector<cni::IpConfig> out;
    for (const auto& e : list) {
        if (!e.is_string())
            return fail(Code::InvalidConfig,
                        std::string(where) + " must be a list of CIDR strings, got " + e.dump());
        out.push_back({NETLIB_TRY(cidr(e.get<std::string>(), where)), std::nullopt, std::nullopt});
    }
    addrs = std::move(out);
    return true;
}

}  // namespace

Expected<StaticConfig> load_static_config(const cni::Request& req) {
    const json& ipam = *NETLIB_TRY(ipam_section(req));
    StaticConfig c;
    c.addresses = NETLIB_TRY(config_addresses(ipam));
    NETLIB_TRYV(apply_cni_args(req, c.addresses));
    if (auto a = req.config.find("args"); a != req.config.end() && a->is_object())
        if (auto cn = a->find("cni"); cn != a->end() && cn->is_object())
            if (auto ips = cn->find("ips"); ips != cn->end())
                NETLIB_TRYV(replace_with(*ips, "args.cni.ips", c.addresses));
    NETLIB_TRYV(replace_with(req.runtime_config("ips"), "runtimeConfig.ips", c.addresses));
    c.routes = NETLIB_TRY(parse_routes(ipam, "routes"));
    c.dns = NETLIB_TRY(parse_dns(ipam, "dns"));
    return c;
}

}  // namespace ipam
