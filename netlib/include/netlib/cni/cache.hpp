#pragma once
// The libcni result cache, byte-compatible so that libcni-based tools (cnitool, containerd,
// podman) and netrun can read each other's entries:
//   <cacheDir>/results/<network>-<containerID>-<ifname>      (dir 0700, file 0600)
//   {"kind":"cniCacheV1","containerId":..,"config":<base64 of the conflist bytes>,
//    "ifName":..,"networkName":..,"netns":..,"cniArgs":[[k,v],..],"capabilityArgs":{..},
//    "result":{..}}
// Keys in that order (Go struct order); netns, cniArgs, capabilityArgs and result are left
// out when empty, like Go's omitempty. Unlike libcni the file is written to a temp file,
// fsync'd and renamed, so a crash never leaves a truncated or empty entry.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "netlib/error.hpp"

namespace netlib::cni {

inline constexpr std::string_view kCacheKind = "cniCacheV1";

struct CacheEntry {
    std::string container_id;
    std::string ifname;
    std::string network_name;
    std::string netns;
    std::string config;  // conflist bytes (decoded from base64)
    std::vector<std::pair<std::string, std::string>> cni_args;
    nlohmann::json capability_args = nlohmann::json::object();
    nlohmann::json result;  // final ADD result as cached; null when absent
};

// Serialise / parse one cache document. decode_cache refuses anything that is not a
// cniCacheV1 document (code 6).
std::string encode_cache(const CacheEntry& e);
Expected<CacheEntry> decode_cache(std::string_view bytes);

class ResultCache {
public:
    explicit ResultCache(std::string cache_dir) : dir_(std::move(cache_dir)) {}

    const std::string& dir() const { return dir_; }
    std::string results_dir() const { return dir_ + "/results"; }
    // Callers validate the three parts first (they come from the CNI name/id/ifname rules,
    // which exclude '/'), so the path cannot escape results/.
    std::string path(std::string_view network, std::string_view container_id,
                     std::string_view ifname) const;

    Expected<> write(const CacheEntry& e) const;
    // nullopt when there is no entry; an error when it exists but cannot be read or parsed.
    Expected<std::optional<CacheEntry>> read(std::string_view network, std::string_view container_id,
                                             std::string_view ifname) const;
    // The cached result: from a cniCacheV1 entry, or a pre-cniCacheV1 file that holds the
    // bare result JSON (libcni still reads those). nullopt when nothing is cached.
    Expected<std::optional<nlohmann::json>> read_result(std::string_view network,
                                                        std::string_view container_id,
                                                        std::string_view ifname) const;
    // Missing entries are fine (DEL is idempotent).
    Expected<> remove(std::string_view network, std::string_view container_id,
                      std::string_view ifname) const;
    // Readable cniCacheV1 entries of `network` (all networks when empty), sorted by file name
    // like libcni's GetCachedAttachments; unreadable or foreign files are skipped.
    Expected<std::vector<CacheEntry>> list(std::string_view network = {}) const;

private:
    std::string dir_;
};

}  // namespace netlib::cni
