// Chain operations ADD, DEL, CHECK and STATUS over a network list (GC: runtime_gc.cpp).
#include "netlib/cni/runtime.hpp"

#include "netlib/cni/exec.hpp"
#include "netlib/cni/runtime_request.hpp"
#include "netlib/cni/version.hpp"
#include "validate.hpp"

namespace netlib::cni {

using nlohmann::json;

namespace {

std::string join_path(const std::vector<std::string>& dirs) {
    std::string out;
    for (const auto& d : dirs) out += (out.empty() ? "" : ":") + d;
    return out;
}

std::string plugin_type(const json& plugin) {
    auto it = plugin.find("type");
    return it != plugin.end() && it->is_string() ? it->get<std::string>() : std::string("<no type>");
}

// "network "netrun" plugin #2/3 "portmap" ADD": which step of which chain failed.
std::string describe(Command cmd, const NetworkConfigList& list, std::size_t i) {
    return "network \"" + list.name + "\" plugin #" + std::to_string(i + 1) + "/" +
           std::to_string(list.plugins.size()) + " \"" + plugin_type(list.plugins[i]) + "\" " +
           std::string(to_string(cmd));
}

}  // namespace

// The cache path is built from these, and libcni validates them the same way before ADD.
Expected<> validate_runtime_conf(const NetworkConfigList& list, const RuntimeConf& rt) {
    NETLIB_TRYV(validate_network_name(list.name));
    NETLIB_TRYV(validate_container_id(rt.container_id));
    NETLIB_TRYV(validate_ifname(rt.ifname));
    if (list.plugins.empty()) return fail(Code::InvalidConfig, "network \"" + list.name + "\" has no plugins");
    return {};
}

Runtime::Runtime(std::vector<std::string> plugin_path, std::string cache_dir)
    : path_(join_path(plugin_path)), cache_(std::move(cache_dir)) {}

Expected<json> Runtime::run_plugin(Command cmd, const NetworkConfigList& list, std::size_t index,
                                   const RuntimeConf& rt, const json& config) const {
    Invocation inv{cmd, rt.container_id, rt.netns, rt.ifname, cni_args_string(rt.args), path_};
    auto out = exec_plugin(plugin_type(list.plugins[index]), inv, to_stdin(config));
    if (!out) return std::unexpected(with_context(out.error(), describe(cmd, list, index)));
    return out;
}

Expected<json> Runtime::add_network_list(const NetworkConfigList& list, const RuntimeConf& rt) const {
    NETLIB_TRYV(validate_runtime_conf(list, rt));
    json result;  // null: the first plugin gets no prevResult
    for (std::size_t i = 0; i < list.plugins.size(); ++i) {
        json conf = build_plugin_config(list.plugins[i], list.name, list.cni_version, result, rt.capability_args);
        json out = NETLIB_TRY(run_plugin(Command::Add, list, i, rt, conf));
        if (out.is_null()) return fail(Code::Decode, describe(Command::Add, list, i) + ": plugin printed no result");
        auto converted = convert_result(out, list.cni_version);
        if (!converted) return std::unexpected(with_context(converted.error(), describe(Command::Add, list, i)));
        result = std::move(*converted);
    }
    CacheEntry entry{.container_id = rt.container_id,
                     .ifname = rt.ifname,
                     .network_name = list.name,
                     .netns = rt.netns,
                     .config = list.bytes,
                     .cni_args = rt.args,
                     .capability_args = rt.capability_args,
                     .result = result};
    if (auto w = cache_.write(entry); !w)
        return std::unexpected(with_context(w.error(), "network \"" + list.name + "\": cache the ADD result"));
    return result;
}

Expected<std::optional<json>> Runtime::cached_result(const NetworkConfigList& list, const RuntimeConf& rt) const {
    auto raw = NETLIB_TRY(cache_.read_result(list.name, rt.container_id, rt.ifname));
    if (!raw) return std::nullopt;
    auto converted = convert_result(*raw, list.cni_version);
    if (!converted)
        return std::unexpected(with_context(converted.error(), "cached result " +
                                                                   cache_.path(list.name, rt.container_id, rt.ifname)));
    return std::optional<json>(std::move(*converted));
}

Expected<> Runtime::del_network_list(const NetworkConfigList& list, const RuntimeConf& rt, DelPolicy policy) const {
    NETLIB_TRYV(validate_runtime_conf(list, rt));
    json prev;
    // prevResult on DEL exists from 0.4.0 on. A cache entry we cannot use must not block DEL:
    // plugins tolerate a missing prevResult, and the entry is removed when the chain is done.
    if (at_least(list.cni_version, "0.4.0")) {
        if (auto cached = cached_result(list, rt); cached && *cached) prev = std::move(**cached);
    }
    std::vector<Error> errors;
    for (std::size_t i = list.plugins.size(); i-- > 0;) {
        json conf = build_plugin_config(list.plugins[i], list.name, list.cni_version, prev, rt.capability_args);
        auto r = run_plugin(Command::Del, list, i, rt, conf);
        if (r) continue;
        if (policy == DelPolicy::StopAtFirstError) return std::unexpected(r.error());
        errors.push_back(r.error());
    }
    if (!errors.empty()) return std::unexpected(join_errors("network \"" + list.name + "\" DEL", errors));
    if (auto r = cache_.remove(list.name, rt.container_id, rt.ifname); !r)
        return std::unexpected(with_context(r.error(), "network \"" + list.name + "\": DEL done, but"));
    return {};
}

Expected<> Runtime::check_network_list(const NetworkConfigList& list, const RuntimeConf& rt) const {
    if (!at_least(list.cni_version, "0.4.0"))
        return fail(Code::IncompatibleVersion, "network \"" + list.name + "\": cniVersion " + list.cni_version +
                                                   " does not support the CHECK command (needs 0.4.0)");
    NETLIB_TRYV(validate_runtime_conf(list, rt));
    if (list.disable_check) return {};
    auto cached = cached_result(list, rt);
    if (!cached) return std::unexpected(with_context(cached.error(), "network \"" + list.name + "\""));
    if (!*cached)
        return fail(Code::UnknownContainer, "network \"" + list.name + "\": nothing cached for container \"" +
                                                rt.container_id + "\" ifname \"" + rt.ifname + "\" in " +
                                                cache_.results_dir() + " (CHECK needs a successful ADD first)");
    for (std::size_t i = 0; i < list.plugins.size(); ++i) {
        json conf = build_plugin_config(list.plugins[i], list.name, list.cni_version, **cached, rt.capability_args);
        NETLIB_TRYV(run_plugin(Command::Check, list, i, rt, conf));
    }
    return {};
}

Expected<> Runtime::status_network_list(const NetworkConfigList& list) const {
    if (!at_least(list.cni_version, "1.1.0")) return {};
    for (std::size_t i = 0; i < list.plugins.size(); ++i) {
        json conf = build_plugin_config(list.plugins[i], list.name, list.cni_version, json(), json());
        NETLIB_TRYV(run_plugin(Command::Status, list, i, RuntimeConf{}, conf));
    }
    return {};
}

RuntimeConf Runtime::with_cached_config(const NetworkConfigList& list, RuntimeConf rt) const {
    if (!validate_runtime_conf(list, rt)) return rt;
    auto entry = cache_.read(list.name, rt.container_id, rt.ifname);
    if (!entry || !*entry) return rt;
    rt.args = std::move((*entry)->cni_args);
    rt.capability_args = std::move((*entry)->capability_args);
    if (rt.netns.empty()) rt.netns = std::move((*entry)->netns);
    return rt;
}

Expected<std::vector<CacheEntry>> Runtime::cached_attachments(std::string_view network) const {
    return cache_.list(network);
}

}  // namespace netlib::cni
