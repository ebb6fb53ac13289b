// Parsing and validation of conflist documents (libcni's NetworkConfFromBytes semantics).
// Loading from files and directories lives in conflist_load.cpp.
#include "netlib/cni/conflist.hpp"

#include <algorithm>
#include <cctype>

#include "conflist_internal.hpp"
#include "netlib/cni/version.hpp"
#include "validate.hpp"

namespace netlib::cni {

using nlohmann::json;

namespace {

Expected<json> parse_object(std::string_view bytes) {
    auto j = json::parse(bytes.begin(), bytes.end(), nullptr, false);
    if (j.is_discarded()) return fail(Code::Decode, "not valid JSON");
    if (!j.is_object()) return fail(Code::InvalidConfig, "top level is not a JSON object");
    return j;
}

// libcni accepts a bool or the strings "true"/"false" in any case.
Expected<bool> read_bool(const json& doc, const char* key) {
    auto it = doc.find(key);
    if (it == doc.end()) return false;
    if (it->is_boolean()) return it->get<bool>();
    if (it->is_string()) {
        std::string s = it->get<std::string>();
        std::ranges::transform(s, s.begin(), [](unsigned char c) { return std::tolower(c); });
        if (s == "true") return true;
        if (s == "false") return false;
    }
    return fail(Code::InvalidConfig, std::string("\"") + key + "\" must be a bool or \"true\"/\"false\", got " +
                                         it->dump(-1, ' ', false, json::error_handler_t::replace));
}

Expected<std::string> read_string(const json& doc, const char* key, bool required) {
    auto it = doc.find(key);
    if (it == doc.end()) {
        if (required) return fail(Code::InvalidConfig, std::string("missing \"") + key + "\"");
        return std::string{};
    }
    if (!it->is_string())
        return fail(Code::InvalidConfig, std::string("\"") + key + "\" must be a string, got " + it->type_name());
    return it->get<std::string>();
}

Expected<std::vector<std::string>> read_versions(const json& doc) {
    std::vector<std::string> out;
    auto it = doc.find("cniVersions");
    if (it == doc.end()) return out;
    if (!it->is_array()) return fail(Code::InvalidConfig, "\"cniVersions\" must be a list of strings");
    for (const auto& v : *it) {
        if (!v.is_string()) return fail(Code::InvalidConfig, "\"cniVersions\" must be a list of strings");
        out.push_back(v.get<std::string>());
    }
    return out;
}

}  // namespace

namespace detail {

Expected<> validate_plugin(const json& plugin, std::string_view where) {
    auto bad = [&](std::string why) { return fail(Code::InvalidConfig, std::string(where) + ": " + why); };
    if (!plugin.is_object()) return bad("not a JSON object");
    auto type = plugin.find("type");
    if (type == plugin.end() || !type->is_string() || type->get_ref<const std::string&>().empty())
        return bad("missing \"type\" (the plugin binary name)");
    if (auto caps = plugin.find("capabilities"); caps != plugin.end()) {
        if (!caps->is_object()) return bad("\"capabilities\" must be an object of booleans");
        for (const auto& [k, v] : caps->items())
            if (!v.is_boolean()) return bad("capability \"" + k + "\" must be true or false");
    }
    return {};
}

Expected<NetworkConfigList> parse_list_document(std::string_view bytes, bool plugins_optional) {
    json doc = NETLIB_TRY(parse_object(bytes));
    NetworkConfigList list;
    list.bytes = std::string(bytes);
    list.name = NETLIB_TRY(read_string(doc, "name", true));
    NETLIB_TRYV(validate_network_name(list.name));
    std::string version = NETLIB_TRY(read_string(doc, "cniVersion", false));
    std::vector<std::string> versions = NETLIB_TRY(read_versions(doc));
    list.cni_version = NETLIB_TRY(select_version(version, versions));
    list.disable_check = NETLIB_TRY(read_bool(doc, "disableCheck"));
    list.disable_gc = NETLIB_TRY(read_bool(doc, "disableGC"));
    list.load_only_inlined_plugins = NETLIB_TRY(read_bool(doc, "loadOnlyInlinedPlugins"));

    auto plugins = doc.find("plugins");
    if (plugins == doc.end()) {
        if (plugins_optional && !list.load_only_inlined_plugins) return list;
        return fail(Code::InvalidConfig, list.load_only_inlined_plugins
                                             ? "\"loadOnlyInlinedPlugins\" is true but there is no \"plugins\" list"
                                             : "missing \"plugins\" list");
    }
    if (!plugins->is_array()) return fail(Code::InvalidConfig, "\"plugins\" must be a list of objects");
    if (plugins->empty()) return fail(Code::InvalidConfig, "\"plugins\" is empty");
    for (std::size_t i = 0; i < plugins->size(); ++i) {
        NETLIB_TRYV(validate_plugin((*plugins)[i], "plugins[" + std::to_string(i) + "]"));
        list.plugins.push_back((*plugins)[i]);
    }
    return list;
}

}  // namespace detail

Expected<NetworkConfigList> parse_conflist(std::string_view bytes) {
    return detail::parse_list_document(bytes, false);
}

Expected<NetworkConfigList> parse_plugin_conf_as_list(std::string_view bytes) {
    json conf = NETLIB_TRY(parse_object(bytes));
    NETLIB_TRYV(detail::validate_plugin(conf, "plugin config"));
    // Same shape libcni builds, so the cached "config" decodes to a list for any reader.
    // (Locals first: returning out of NETLIB_TRY inside a braced list leaks with GCC.)
    std::string version = NETLIB_TRY(read_string(conf, "cniVersion", false));
    std::string name = NETLIB_TRY(read_string(conf, "name", true));
    json list{{"cniVersion", version}, {"name", name}, {"plugins", json::array({conf})}};
    return detail::parse_list_document(list.dump(-1, ' ', false, json::error_handler_t::replace), false);
}

Expected<std::string> select_version(std::string_view cni_version,
                                     std::span<const std::string> cni_versions) {
    std::vector<std::string_view> given;
    if (!cni_version.empty()) given.push_back(cni_version);
    for (const auto& v : cni_versions)
        if (!v.empty()) given.push_back(v);
    std::string_view best;
    for (auto v : given) {
        if (!compare_versions(v, "0.0.0"))
            return fail(Code::InvalidConfig, "invalid CNI version \"" + std::string(v) + "\" (want x.y.z)");
        if (is_supported(v) && (best.empty() || *compare_versions(v, best) > 0)) best = v;
    }
    if (!best.empty()) return std::string(best);

    std::string supported, asked;
    for (auto s : supported_versions()) supported += (supported.empty() ? "" : ", ") + std::string(s);
    for (auto v : given) asked += (asked.empty() ? "" : ", ") + std::string(v);
    if (given.empty())
        return fail(Code::IncompatibleVersion, "no \"cniVersion\" given (means 0.1.0); supported: " + supported);
    return fail(Code::IncompatibleVersion, "none of the CNI versions [" + asked + "] is supported; supported: " + supported);
}

}  // namespace netlib::cni
