#include "ipam/config_common.hpp"

#include <string>

namespace ipam {

using netlib::Code;
using netlib::fail;
using nlohmann::json;
namespace cni = netlib::cni;
namespace ip = netlib::ip;

Expected<const json*> ipam_section(const cni::Request& req) {
    auto it = req.config.find("ipam");
    if (it == req.config.end() || it->is_null())
        return fail(Code::InvalidConfig, "IPAM config missing 'ipam' key");
    if (!it->is_object())
        return fail(Code::InvalidConfig,
                    "config key \"ipam\" must be an object, got " + it->dump());
    return &*it;
}

namespace {

Expected<std::optional<int>> opt_int(const json& r, const char* key, std::string_view where) {
    auto it = r.find(key);
    if (it == r.end() || it->is_null()) return std::optional<int>{};
    if (!it->is_number_integer())
        return fail(Code::InvalidConfig,
                    std::string(where) + "." + key + " must be an integer, got " + it->dump());
    return std::optional<int>{it->get<int>()};
}

Expected<cni::Route> parse_route(const json& r, const std::string& where) {
    if (!r.is_object())
        return fail(Code::InvalidConfig, where + " must be an object, got " + r.dump());
    cni::Route out;
    auto dst = r.find("dst");
    std::optional<ip::Net> n;
    if (dst != r.end() && dst->is_string()) n = ip::Net::parse(dst->get<std::string>());
    if (!n)
        return fail(Code::InvalidConfig,
                    where + ".dst must be a CIDR such as 0.0.0.0/0, got " +
                        (dst == r.end() ? std::string("nothing") : dst->dump()));
    out.dst = n->masked();
    if (auto gw = r.find("gw"); gw != r.end() && !gw->is_null()) {
        std::optional<ip::Addr> a;
        if (gw->is_string()) a = ip::Addr::parse(gw->get<std::string>());
        if (!a)
            return fail(Code::InvalidConfig,
                        where + ".gw must be an IP address, got " + gw->dump());
        if (a->family() != n->family())
            return fail(Code::InvalidConfig, where + ": gw " + a->str() + " and dst " + n->str() +
                                                 " are of different address families");
        out.gw = *a;
    }
    out.mtu = NETLIB_TRY(opt_int(r, "mtu", where));
    out.advmss = NETLIB_TRY(opt_int(r, "advmss", where));
    out.priority = NETLIB_TRY(opt_int(r, "priority", where));
    out.table = NETLIB_TRY(opt_int(r, "table", where));
    out.scope = NETLIB_TRY(opt_int(r, "scope", where));
    return out;
}

Expected<std::vector<std::string>> string_list(const json& d, const char* key,
                                               std::string_view where) {
    std::vector<std::string> out;
    auto it = d.find(key);
    if (it == d.end() || it->is_null()) return out;
    bool ok = it->is_array();
    for (const auto& e : ok ? *it : json::array()) {
        if (!e.is_string())
            ok = false;
        else
            out.push_back(e.get<std::string>());
    }
    if (!ok)
        return fail(Code::InvalidConfig, std::string(where) + "." + key +
                                             " must be a list of strings, got " + it->dump());
    return out;
}

}  // namespace

Expected<std::vector<cni::Route>> parse_routes(const json& obj, std::string_view key) {
    std::vector<cni::Route> out;
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return out;
    if (!it->is_array())
        return fail(Code::InvalidConfig,
                    "ipam." + std::string(key) + " must be a list of routes, got " + it->dump());
    for (std::size_t i = 0; i < it->size(); ++i)
        out.push_back(NETLIB_TRY(
            parse_route((*it)[i], "ipam." + std::string(key) + "[" + std::to_string(i) + "]")));
    return out;
}

Expected<cni::Dns> parse_dns(const json& obj, std::string_view key) {
    cni::Dns dns;
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return dns;
    const std::string where = "ipam." + std::string(key);
    if (!it->is_object())
        return fail(Code::InvalidConfig, where + " must be an object, got " + it->dump());
    dns.nameservers = NETLIB_TRY(string_list(*it, "nameservers", where));
    dns.search = NETLIB_TRY(string_list(*it, "search", where));
    dns.options = NETLIB_TRY(string_list(*it, "options", where));
    if (auto d = it->find("domain"); d != it->end() && !d->is_null()) {
        if (!d->is_string())
            return fail(Code::InvalidConfig, where + ".domain must be a string, got " + d->dump());
        dns.domain = d->get<std::string>();
    }
    return dns;
}

std::vector<std::string> split_list(std::string_view text) {
    std::vector<std::string> out;
    while (!text.empty()) {
        auto comma = text.find(',');
        std::string_view item = text.substr(0, comma);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t'))
            item.remove_prefix(1);
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
        if (!item.empty()) out.emplace_back(item);
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return out;
}

}  // namespace ipam
