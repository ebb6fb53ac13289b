#pragma once
// Runtime side of CNI: run a network list's plugin chain the way libcni does, with the
// libcni result cache (cache.hpp), so that DEL works after a crash and libcni-based tools and
// netrun can clean up each other's attachments.
//
// Behaviour, verb by verb (libcni's unless noted):
//  ADD    plugins in order; each gets the previous plugin's result (converted to the list
//         version) as prevResult, the first none. The final result is cached, then returned.
//         A failing plugin stops the chain and nothing is rolled back: the caller must DEL
//         (the spec's "every ADD is followed by DEL"); `netrun net add` does that for you.
//  DEL    plugins in reverse order; every plugin gets the cached final result as prevResult
//         (lists >= 0.4.0). An unreadable/corrupt cache entry does not stop DEL: it goes on
//         without prevResult and the entry is removed at the end. The first plugin error
//         stops the chain and keeps the cache entry, so a retried DEL has the same input
//         (DelPolicy::Continue: see below). The entry is removed after success.
//  CHECK  refused (code 1) for lists < 0.4.0; no-op with disableCheck; plugins in order
//         with the cached result; first error stops. Unlike libcni, a missing cache entry is
//         an error (code 3) up front instead of CHECKing plugins without prevResult.
//  STATUS no-op for lists < 1.1.0; plugins in order, env carries only CNI_COMMAND/CNI_PATH;
//         first error stops (codes 50/51 pass through).
//  GC     nothing with disableGC. Else each cached attachment of this network that is not in
//         `valid` gets a full DEL with its cached netns, CNI_ARGS and capability args; then,
//         for lists >= 1.1.0, every plugin gets the GC verb with `cni.dev/valid-attachments`
//         (and the pre-rename key `cni.dev/attachments`). Continues past errors and returns
//         them all joined (code of the first).
// ADD, DEL and CHECK first validate container ID and ifname (the cache path is built from
// them) and the network name.
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "netlib/cni/cache.hpp"
#include "netlib/cni/conflist.hpp"
#include "netlib/cni/skel.hpp"
#include "netlib/error.hpp"

namespace netlib::cni {

inline constexpr std::string_view kDefaultCacheDir = "/var/lib/cni";

// DEL of a whole list stops at the first failing plugin (libcni). Cleaning up after a failed
// ADD is better served by going on: each plugin's DEL is idempotent, and one missing binary
// should not keep the others from releasing what they made.
enum class DelPolicy { StopAtFirstError, Continue };

struct RuntimeConf {
    std::string container_id;
    std::string netns;
    std::string ifname;
    std::vector<std::pair<std::string, std::string>> args;        // CNI_ARGS, in order
    nlohmann::json capability_args = nlohmann::json::object();  // portMappings, ips, mac, ...
};

class Runtime {
public:
    // `plugin_path`: directories searched for plugin binaries, in order (CNI_PATH).
    explicit Runtime(std::vector<std::string> plugin_path,
                     std::string cache_dir = std::string(kDefaultCacheDir));

    // The final Result JSON, in the list's cniVersion.
    Expected<nlohmann::json> add_network_list(const NetworkConfigList& list, const RuntimeConf& rt) const;
    // With DelPolicy::Continue every plugin runs, errors are joined, and the cache entry is
    // removed only when all succeeded.
    Expected<> del_network_list(const NetworkConfigList& list, const RuntimeConf& rt,
                                DelPolicy policy = DelPolicy::StopAtFirstError) const;
    Expected<> check_network_list(const NetworkConfigList& list, const RuntimeConf& rt) const;
    Expected<> status_network_list(const NetworkConfigList& list) const;
    Expected<> gc_network_list(const NetworkConfigList& list, std::span<const Attachment> valid) const;

    // Cached final result converted to the list's version; nullopt when nothing is cached.
    Expected<std::optional<nlohmann::json>> cached_result(const NetworkConfigList& list,
                                                          const RuntimeConf& rt) const;
    // `rt` with the CNI_ARGS and capability args of the cached ADD (libcni's
    // GetNetworkListCachedConfig), and the cached netns when `rt` has none. Returned
    // unchanged when nothing usable is cached: a DEL must not fail because of the cache.
    RuntimeConf with_cached_config(const NetworkConfigList& list, RuntimeConf rt) const;
    // Cached attachments of `network` (all networks when empty).
    Expected<std::vector<CacheEntry>> cached_attachments(std::string_view network) const;

    const ResultCache& cache() const { return cache_; }
    const std::string& path() const { return path_; }  // ':'-joined CNI_PATH

private:
    // Exec plugin `index` of `list` with the fully built `config` on stdin.
    Expected<nlohmann::json> run_plugin(Command cmd, const NetworkConfigList& list, std::size_t index,
                                        const RuntimeConf& rt, const nlohmann::json& config) const;
    Expected<> del_stale(const NetworkConfigList& list, std::span<const Attachment> valid,
                         std::vector<Error>& errors) const;

    std::string path_;
    ResultCache cache_;
};

// What ADD/DEL/CHECK check before running anything: network name, container ID and ifname
// follow the CNI rules (they also name the cache file) and the list has plugins.
Expected<> validate_runtime_conf(const NetworkConfigList& list, const RuntimeConf& rt);

// Cached attachments that GC must DEL: those not in `valid` (compared by containerID+ifname).
std::vector<CacheEntry> stale_attachments(std::span<const CacheEntry> cached,
                                          std::span<const Attachment> valid);

// One error from many: message "<what>: N errors: a; b", code of the first.
Error join_errors(std::string_view what, std::span<const Error> errors);

}  // namespace netlib::cni
