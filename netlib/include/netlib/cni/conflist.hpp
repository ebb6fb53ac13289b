#pragma once
// Network configuration lists, loaded the way libcni loads them:
//  - a `.conflist` document; unless `loadOnlyInlinedPlugins` is true, plugin objects found in
//    `<dir of the file>/<name>/*.conf` (sorted) are appended to its `plugins`;
//  - a single-plugin `.conf`/`.json` document, wrapped into a one-plugin list;
//  - lookup by name in config dirs: per dir, sorted `.conflist` files first, then sorted
//    `.conf`/`.json` files; the first dir holding the name wins.
// The selected cniVersion is the highest of `cniVersion` ∪ `cniVersions` we support.
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "netlib/error.hpp"

namespace netlib::cni {

struct NetworkConfigList {
    std::string name;
    std::string cni_version;  // selected version, sent to every plugin
    bool disable_check = false;
    bool disable_gc = false;
    bool load_only_inlined_plugins = false;
    std::vector<nlohmann::json> plugins;  // plugin objects; each has a non-empty string "type"
    std::string bytes;   // the document as read: the cache stores it (base64) as "config"
    std::string source;  // file it was loaded from; empty when parsed from memory
};

// Parse a conflist document held in memory (no plugin directory is consulted, so `plugins`
// must be present and non-empty). Errors: 6 (not JSON), 7 (invalid), 1 (no supported version).
Expected<NetworkConfigList> parse_conflist(std::string_view bytes);

// Wrap a single plugin config (legacy `.conf`) into a list, like libcni's ConfListFromConf:
// `bytes` of the result is the re-serialised list {"cniVersion","name","plugins":[conf]}.
Expected<NetworkConfigList> parse_plugin_conf_as_list(std::string_view bytes);

// Load a file: `.conf`/`.json` are wrapped; anything else is read as a conflist and gets
// plugin objects from `<dir>/<name>/*.conf` appended unless loadOnlyInlinedPlugins.
Expected<NetworkConfigList> load_conflist_file(const std::string& path);

// Find network `name` in `dirs` (see the header comment for the order). Files that cannot be
// parsed are skipped (libcni aborts on them); they are named in the not-found error.
Expected<NetworkConfigList> find_conflist(std::span<const std::string> dirs, std::string_view name);

// Every network in `dirs`, in find_conflist's order; a name seen before is shadowed and left
// out (find_conflist would never return it). Files that cannot be read or parsed are listed
// in `skipped` as "file: reason".
struct ConflistScan {
    std::vector<NetworkConfigList> networks;
    std::vector<std::string> skipped;
};
ConflistScan scan_conflists(std::span<const std::string> dirs);

// Highest version of {cni_version} ∪ cni_versions that netlib supports (empty strings are
// ignored). Malformed entries: 7. None supported (or none given): 1.
Expected<std::string> select_version(std::string_view cni_version,
                                     std::span<const std::string> cni_versions);

}  // namespace netlib::cni
