#include "netlib/cni/result_json.hpp"

#include <nlohmann/json.hpp>

#include "netlib/cni/version.hpp"

namespace netlib::cni {

using nlohmann::json;

namespace {

json interface_json(const Interface& i, bool v11) {
    json j{{"name", i.name}};
    if (!i.mac.empty()) j["mac"] = i.mac;
    if (v11 && i.mtu) j["mtu"] = *i.mtu;
    if (!i.sandbox.empty()) j["sandbox"] = i.sandbox;
    if (v11 && !i.socket_path.empty()) j["socketPath"] = i.socket_path;
    if (v11 && !i.pci_id.empty()) j["pciID"] = i.pci_id;
    return j;
}

json route_json(const Route& r, bool v11) {
    json j{{"dst", r.dst.str()}};
    if (r.gw) j["gw"] = r.gw->str();
    if (v11) {
        if (r.mtu) j["mtu"] = *r.mtu;
        if (r.advmss) j["advmss"] = *r.advmss;
        if (r.priority) j["priority"] = *r.priority;
        if (r.table) j["table"] = *r.table;
        if (r.scope) j["scope"] = *r.scope;
    }
    return j;
}

json dns_json(const Dns& d) {
    json j = json::object();
    if (!d.nameservers.empty()) j["nameservers"] = d.nameservers;
    if (!d.domain.empty()) j["domain"] = d.domain;
    if (!d.search.empty()) j["search"] = d.search;
    if (!d.options.empty()) j["options"] = d.options;
    return j;
}

Expected<ip::Addr> addr_field(const json& j, const char* key) {
    if (!j.is_string()) return fail(Code::Decode, std::string("result: \"") + key + "\" is not a string");
    auto a = ip::Addr::parse(j.get<std::string>());
    if (!a) return fail(Code::Decode, std::string("result: invalid IP in \"") + key + "\": " + j.get<std::string>());
    return *a;
}

Expected<ip::Net> net_field(const json& j, const char* key) {
    if (!j.is_string()) return fail(Code::Decode, std::string("result: \"") + key + "\" is not a string");
    auto n = ip::Net::parse(j.get<std::string>());
    if (!n) return fail(Code::Decode, std::string("result: invalid CIDR in \"") + key + "\": " + j.get<std::string>());
    return *n;
}

std::optional<int> opt_int(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) return std::nullopt;
    return it->get<int>();
}

std::string opt_str(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

std::vector<std::string> str_list(const json& j, const char* key) {
    std::vector<std::string> out;
    auto it = j.find(key);
    if (it == j.end() || !it->is_array()) return out;
    for (const auto& e : *it)
        if (e.is_string()) out.push_back(e.get<std::string>());
    return out;
}

Expected<IpConfig> ip_from_json(const json& j) {
    if (!j.is_object()) return fail(Code::Decode, "result: ips[] entry is not an object");
    IpConfig c;
    c.address = NETLIB_TRY(net_field(j.value("address", json()), "address"));
    if (auto g = j.find("gateway"); g != j.end() && !g->is_null())
        c.gateway = NETLIB_TRY(addr_field(*g, "gateway"));
    c.interface = opt_int(j, "interface");
    return c;
}

Expected<Route> route_from_json(const json& j) {
    if (!j.is_object()) return fail(Code::Decode, "result: routes[] entry is not an object");
    Route r;
    r.dst = NETLIB_TRY(net_field(j.value("dst", json()), "dst"));
    if (auto g = j.find("gw"); g != j.end() && !g->is_null())
        r.gw = NETLIB_TRY(addr_field(*g, "gw"));
    r.mtu = opt_int(j, "mtu");
    r.advmss = opt_int(j, "advmss");
    r.priority = opt_int(j, "priority");
    r.table = opt_int(j, "table");
    r.scope = opt_int(j, "scope");
    return r;
}

}  // namespace

json result_to_json(const Result& r, std::string_view version) {
    const bool v1 = at_least(version, "1.0.0");
    const bool v11 = at_least(version, "1.1.0");
    json j{{"cniVersion", std::string(version)}};
    if (!r.interfaces.empty()) {
        json a = json::array();
        for (const auto& i : r.interfaces) a.push_back(interface_json(i, v11));
        j["interfaces"] = std::move(a);
    }
    if (!r.ips.empty()) {
        json a = json::array();
        for (const auto& c : r.ips) {
            json e;
            if (!v1) e["version"] = c.address.addr.is_v4() ? "4" : "6";
            e["address"] = c.address.str();
            if (c.gateway) e["gateway"] = c.gateway->str();
            if (c.interface) e["interface"] = *c.interface;
            a.push_back(std::move(e));
        }
        j["ips"] = std::move(a);
    }
    if (!r.routes.empty()) {
        json a = json::array();
        for (const auto& rt : r.routes) a.push_back(route_json(rt, v11));
        j["routes"] = std::move(a);
    }
    j["dns"] = dns_json(r.dns);
    return j;
}

Expected<Result> result_from_json(const json& j) {
    if (!j.is_object()) return fail(Code::Decode, "result is not a JSON object");
    Result r;
    if (auto it = j.find("interfaces"); it != j.end() && it->is_array()) {
        for (const auto& e : *it) {
            if (!e.is_object()) return fail(Code::Decode, "result: interfaces[] entry is not an object");
            r.interfaces.push_back(Interface{.name = opt_str(e, "name"),
                                             .mac = opt_str(e, "mac"),
                                             .mtu = opt_int(e, "mtu"),
                                             .sandbox = opt_str(e, "sandbox"),
                                             .socket_path = opt_str(e, "socketPath"),
                                             .pci_id = opt_str(e, "pciID")});
        }
    }
    if (auto it = j.find("ips"); it != j.end() && it->is_array())
        for (const auto& e : *it) r.ips.push_back(NETLIB_TRY(ip_from_json(e)));
    if (auto it = j.find("routes"); it != j.end() && it->is_array())
        for (const auto& e : *it) r.routes.push_back(NETLIB_TRY(route_from_json(e)));
    if (auto it = j.find("dns"); it != j.end() && it->is_object()) {
        r.dns.nameservers = str_list(*it, "nameservers");
        r.dns.domain = opt_str(*it, "domain");
        r.dns.search = str_list(*it, "search");
        r.dns.options = str_list(*it, "options");
    }
    return r;
}

}  // namespace netlib::cni
