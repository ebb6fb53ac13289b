#include "net/net_command.hpp"

#include <cstdlib>
#include <iostream>

#include "net/net_defaults.hpp"
#include "net/net_options.hpp"
#include "netlib/cni/conflist.hpp"
#include "netlib/cni/runtime.hpp"
#include "netlib/cni/version.hpp"

#ifndef NETRUN_SOURCE_CONF_DIR
#define NETRUN_SOURCE_CONF_DIR ""
#endif

namespace netrun::net {

using netlib::Expected;
using netlib::cni::NetworkConfigList;
using netlib::cni::Runtime;
using netlib::cni::RuntimeConf;

namespace {

// One line: plugin output can carry newlines.
std::string one_line(const netlib::Error& e) {
    std::string s = e.msg;
    if (!e.details.empty()) s += ": " + e.details;
    for (char& c : s)
        if (c == '\n' || c == '\r') c = ' ';
    return s + " (CNI error code " + std::to_string(e.code) + ")";
}

int report(std::string_view verb, const netlib::Error& e) {
    std::cerr << "netrun net " << verb << ": " << one_line(e) << "\n";
    return 1;
}

bool looks_like_path(const std::string& s) {
    return s.find('/') != std::string::npos || s.ends_with(".conflist") || s.ends_with(".conf") ||
           s.ends_with(".json");
}

Expected<NetworkConfigList> load_network(const NetOptions& o, const std::string& exe_dir) {
    if (looks_like_path(o.network)) return netlib::cni::load_conflist_file(o.network);
    auto dirs = o.conf_dirs.empty() ? default_conf_dirs(exe_dir, NETRUN_SOURCE_CONF_DIR) : o.conf_dirs;
    return netlib::cni::find_conflist(dirs, o.network);
}

Expected<RuntimeConf> runtime_conf(const NetOptions& o) {
    RuntimeConf rt{.container_id = o.container_id,
                   .netns = o.netns,
                   .ifname = o.ifname,
                   .args = o.args,
                   .capability_args = o.capability_args};
    if (rt.container_id.empty()) rt.container_id = NETLIB_TRY(container_id_from_netns(o.netns));
    return rt;
}

int run_add(const Runtime& runtime, const NetworkConfigList& list, const RuntimeConf& rt) {
    auto result = runtime.add_network_list(list, rt);
    if (result) {
        std::cout << result->dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        return 0;
    }
    // libcni leaves the cleanup of a failed ADD to the runtime; we are the runtime here, and
    // a person at a shell should not have to know that a half-made attachment exists.
    netlib::Error err = result.error();
    if (auto del = runtime.del_network_list(list, rt, netlib::cni::DelPolicy::Continue); !del)
        err.msg += "; the cleanup DEL also failed: " + del.error().msg;
    return report("add", err);
}

int run_del(const Runtime& runtime, const NetworkConfigList& list, const NetOptions& o, RuntimeConf rt) {
    // Replay the ADD's inputs (portmap, for one, only removes rules for the mappings it is
    // given again), unless the user gave them explicitly.
    RuntimeConf cached = runtime.with_cached_config(list, rt);
    if (!o.runtime_args_given) {
        rt.args = cached.args;
        rt.capability_args = cached.capability_args;
    }
    if (rt.netns.empty()) rt.netns = cached.netns;
    if (auto r = runtime.del_network_list(list, rt); !r) return report("del", r.error());
    return 0;
}

int run_gc(const Runtime& runtime, const NetworkConfigList& list, const NetOptions& o) {
    std::vector<netlib::cni::Attachment> valid = o.valid;
    if (valid.empty() && !o.all_invalid) {
        // Safe default: keep every attachment we know of; plugins drop only unknown state.
        auto cached = runtime.cached_attachments(list.name);
        if (!cached) return report("gc", cached.error());
        for (const auto& e : *cached) valid.push_back({e.container_id, e.ifname});
    }
    if (list.disable_gc) std::cerr << "netrun net gc: network \"" << list.name << "\" sets disableGC: nothing done\n";
    else if (!netlib::cni::at_least(list.cni_version, "1.1.0"))
        std::cerr << "netrun net gc: cniVersion " << list.cni_version
                  << " has no GC verb: only stale cached attachments are deleted\n";
    if (auto r = runtime.gc_network_list(list, valid); !r) return report("gc", r.error());
    return 0;
}

int run_verb(const NetOptions& o, const Runtime& runtime, const NetworkConfigList& list) {
    if (o.verb == Verb::Status) {
        if (!netlib::cni::at_least(list.cni_version, "1.1.0"))
            std::cerr << "netrun net status: cniVersion " << list.cni_version << " has no STATUS verb: skipped\n";
        auto r = runtime.status_network_list(list);
        return r ? 0 : report("status", r.error());
    }
    if (o.verb == Verb::Gc) return run_gc(runtime, list, o);
    auto rt = runtime_conf(o);
    if (rt) {
        // Checked here so that a bad --id or --ifname is reported alone, without the
        // cleanup DEL that follows a failed add.
        if (auto v = netlib::cni::validate_runtime_conf(list, *rt); !v) rt = std::unexpected(v.error());
    }
    if (!rt) return report(verb_name(o.verb), rt.error());
    if (o.verb == Verb::Add) return run_add(runtime, list, *rt);
    if (o.verb == Verb::Del) return run_del(runtime, list, o, std::move(*rt));
    if (list.disable_check) std::cerr << "netrun net check: network \"" << list.name << "\" sets disableCheck: skipped\n";
    auto r = runtime.check_network_list(list, *rt);
    return r ? 0 : report("check", r.error());
}

}  // namespace

int net_main(std::span<const std::string_view> args) {
    auto opts = parse_net_options(args);
    if (!opts) {
        std::cerr << "netrun net: " << opts.error().msg << "\n(see netrun net --help)\n";
        return 2;
    }
    if (opts->help) {
        std::cout << usage_text();
        return 0;
    }
    const std::string exe_dir = executable_dir();
    auto list = load_network(*opts, exe_dir);
    if (!list) return report(verb_name(opts->verb), list.error());
    auto path = opts->cni_path.empty() ? default_cni_path(std::getenv("CNI_PATH"), exe_dir) : opts->cni_path;
    Runtime runtime(path, opts->cache_dir.empty() ? std::string(netlib::cni::kDefaultCacheDir) : opts->cache_dir);
    return run_verb(*opts, runtime, *list);
}

}  // namespace netrun::net
