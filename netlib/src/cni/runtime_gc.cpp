// GC of a network list: DEL stale cached attachments, then the GC verb (CNI 1.1).
#include <set>

#include "netlib/cni/runtime.hpp"
#include "netlib/cni/runtime_request.hpp"
#include "netlib/cni/version.hpp"

namespace netlib::cni {

using nlohmann::json;

std::vector<CacheEntry> stale_attachments(std::span<const CacheEntry> cached, std::span<const Attachment> valid) {
    std::set<std::pair<std::string_view, std::string_view>> keep;
    for (const auto& v : valid) keep.emplace(v.container_id, v.ifname);
    std::vector<CacheEntry> out;
    for (const auto& e : cached)
        if (!keep.contains({e.container_id, e.ifname})) out.push_back(e);
    return out;
}

Error join_errors(std::string_view what, std::span<const Error> errors) {
    if (errors.empty()) return fail(Code::Internal, std::string(what) + ": no error").error();
    if (errors.size() == 1) return with_context(errors.front(), what);
    Error out = errors.front();  // code (and errno) of the first
    out.details.clear();
    out.msg = std::string(what) + ": " + std::to_string(errors.size()) + " errors: ";
    for (std::size_t i = 0; i < errors.size(); ++i) out.msg += (i ? "; " : "") + errors[i].msg;
    return out;
}

Expected<> Runtime::del_stale(const NetworkConfigList& list, std::span<const Attachment> valid,
                              std::vector<Error>& errors) const {
    auto cached = cache_.list(list.name);
    if (!cached) {
        errors.push_back(cached.error());
        return {};
    }
    for (const auto& e : stale_attachments(*cached, valid)) {
        // The cached netns/args/capabilities reproduce the ADD's input, e.g. portmap only
        // removes its rules when it is given the port mappings again.
        RuntimeConf rt{.container_id = e.container_id,
                       .netns = e.netns,
                       .ifname = e.ifname,
                       .args = e.cni_args,
                       .capability_args = e.capability_args};
        if (auto r = del_network_list(list, rt); !r)
            errors.push_back(with_context(r.error(), "delete stale attachment " + e.container_id + "/" + e.ifname));
    }
    return {};
}

Expected<> Runtime::gc_network_list(const NetworkConfigList& list, std::span<const Attachment> valid) const {
    if (list.disable_gc) return {};
    std::vector<Error> errors;
    NETLIB_TRYV(del_stale(list, valid, errors));
    if (at_least(list.cni_version, "1.1.0")) {
        json attachments = valid_attachments_json(valid);
        for (std::size_t i = 0; i < list.plugins.size(); ++i) {
            json conf = build_plugin_config(list.plugins[i], list.name, list.cni_version, json(), json());
            conf["cni.dev/valid-attachments"] = attachments;
            conf["cni.dev/attachments"] = attachments;  // key before the spec's rename (cni#1103)
            if (auto r = run_plugin(Command::Gc, list, i, RuntimeConf{}, conf); !r) errors.push_back(r.error());
        }
    }
    if (!errors.empty()) return std::unexpected(join_errors("gc network \"" + list.name + "\"", errors));
    return {};
}

}  // namespace netlib::cni
