#include "netlib/cni/runtime_request.hpp"

#include "netlib/cni/result_json.hpp"
#include "netlib/cni/version.hpp"

namespace netlib::cni {

using nlohmann::json;

json runtime_config_for(const json& plugin, const json& capability_args) {
    json rc = json::object();
    auto caps = plugin.find("capabilities");
    if (caps == plugin.end() || !caps->is_object() || !capability_args.is_object()) return rc;
    for (const auto& [name, declared] : caps->items()) {
        if (!declared.is_boolean() || !declared.get<bool>()) continue;
        if (auto arg = capability_args.find(name); arg != capability_args.end()) rc[name] = *arg;
    }
    return rc;
}

json build_plugin_config(const json& plugin, std::string_view network_name, std::string_view cni_version,
                         const json& prev_result, const json& capability_args) {
    json conf = plugin;
    conf["name"] = std::string(network_name);
    conf["cniVersion"] = std::string(cni_version);
    if (!prev_result.is_null()) conf["prevResult"] = prev_result;
    // libcni replaces runtimeConfig only when it has something to put there, so a
    // runtimeConfig written in the conflist itself survives otherwise.
    if (json rc = runtime_config_for(plugin, capability_args); !rc.empty()) conf["runtimeConfig"] = std::move(rc);
    return conf;
}

Expected<json> convert_result(const json& result, std::string_view cni_version) {
    if (!result.is_object()) return fail(Code::Decode, "result is not a JSON object");
    std::string from = std::string(cni_version);
    if (auto v = result.find("cniVersion"); v != result.end() && v->is_string() && !v->get_ref<const std::string&>().empty())
        from = v->get<std::string>();
    auto cmp = compare_versions(from, "0.3.0");
    if (!cmp) return std::unexpected(cmp.error());
    if (*cmp < 0)
        return fail(Code::IncompatibleVersion, "result version " + from + " cannot be converted to " +
                                                   std::string(cni_version) + " (need 0.3.0 or later)");
    auto r = result_from_json(result);
    if (!r) return std::unexpected(r.error());
    return result_to_json(*r, cni_version);
}

std::string cni_args_string(std::span<const std::pair<std::string, std::string>> args) {
    std::string out;
    for (const auto& [k, v] : args) {
        if (!out.empty()) out += ';';
        out += k + "=" + v;
    }
    return out;
}

json valid_attachments_json(std::span<const Attachment> valid) {
    json a = json::array();
    for (const auto& v : valid) a.push_back({{"containerID", v.container_id}, {"ifname", v.ifname}});
    return a;
}

std::string to_stdin(const json& config) {
    return config.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace netlib::cni
