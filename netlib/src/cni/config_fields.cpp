#include "netlib/cni/config_fields.hpp"

#include <cctype>

namespace netlib::cni {

using nlohmann::json;

namespace {
const json* find(const json& obj, std::string_view key) {
    if (!obj.is_object()) return nullptr;
    auto it = obj.find(key);
    return it == obj.end() || it->is_null() ? nullptr : &*it;
}
std::unexpected<Error> type_error(std::string_view key, const char* want, const json& got) {
    return fail(Code::InvalidConfig,
                "config key \"" + std::string(key) + "\" must be " + want + ", got " + got.dump());
}

bool valid_unicast_mac(std::string_view s) {
    if (s.size() != 17) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (i % 3 == 2 ? s[i] != ':' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
    }
    int first = std::stoi(std::string(s.substr(0, 2)), nullptr, 16);
    return (first & 1) == 0;  // multicast bit must be clear
}
}  // namespace

Expected<bool> get_bool(const json& obj, std::string_view key, bool def) {
    const json* v = find(obj, key);
    if (!v) return def;
    if (v->is_boolean()) return v->get<bool>();
    // libcni accepts the strings "true"/"false" for some booleans; so do we, everywhere.
    if (v->is_string() && (*v == "true" || *v == "false")) return *v == "true";
    return type_error(key, "a boolean", *v);
}

Expected<std::string> get_string(const json& obj, std::string_view key, std::string_view def) {
    const json* v = find(obj, key);
    if (!v) return std::string(def);
    if (!v->is_string()) return type_error(key, "a string", *v);
    return v->get<std::string>();
}

Expected<std::optional<long long>> get_int(const json& obj, std::string_view key, long long min,
                                           long long max) {
    const json* v = find(obj, key);
    if (!v) return std::optional<long long>{};
    if (!v->is_number_integer()) return type_error(key, "an integer", *v);
    long long x = v->get<long long>();
    if (x < min || x > max)
        return fail(Code::InvalidConfig, "config key \"" + std::string(key) + "\" must be between " +
                                             std::to_string(min) + " and " + std::to_string(max) +
                                             ", got " + std::to_string(x));
    return std::optional<long long>{x};
}

Expected<std::string> requested_mac(const Request& req) {
    std::string mac;
    std::string_view source;
    if (const auto& rc = req.runtime_config("mac"); rc.is_string()) {
        mac = rc.get<std::string>();
        source = "runtimeConfig.mac";
    } else if (auto a = req.config.find("args"); a != req.config.end() && a->is_object() &&
                                                 a->contains("cni") && (*a)["cni"].is_object() &&
                                                 (*a)["cni"].contains("mac") && (*a)["cni"]["mac"].is_string()) {
        mac = (*a)["cni"]["mac"].get<std::string>();
        source = "args.cni.mac";
    } else if (auto m = req.arg("MAC")) {
        mac = *m;
        source = "CNI_ARGS MAC";
    }
    if (mac.empty()) return mac;
    for (auto& c : mac) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!valid_unicast_mac(mac))
        return fail(Code::InvalidConfig, "invalid MAC address \"" + mac + "\" in " + std::string(source) +
                                             " (want a unicast aa:bb:cc:dd:ee:ff)");
    return mac;
}

Expected<Dns> get_dns(const nlohmann::json& cfg) {
    Dns d;
    auto it = cfg.find("dns");
    if (it == cfg.end() || it->is_null()) return d;
    if (!it->is_object()) return fail(Code::InvalidConfig, "config key \"dns\" must be an object");
    auto list = [&](const char* k, std::vector<std::string>& out) -> Expected<> {
        auto v = it->find(k);
        if (v == it->end() || v->is_null()) return {};
        if (!v->is_array()) return fail(Code::InvalidConfig, std::string("dns.") + k + " must be a list of strings");
        for (const auto& e : *v) {
            if (!e.is_string()) return fail(Code::InvalidConfig, std::string("dns.") + k + " must be a list of strings");
            out.push_back(e.get<std::string>());
        }
        return {};
    };
    NETLIB_TRYV(list("nameservers", d.nameservers));
    NETLIB_TRYV(list("search", d.search));
    NETLIB_TRYV(list("options", d.options));
    d.domain = NETLIB_TRY(get_string(*it, "domain"));
    return d;
}

}  // namespace netlib::cni
