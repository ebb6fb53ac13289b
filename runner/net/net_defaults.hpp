#pragma once
// Defaults of `netrun net`, as pure functions of their inputs (environment, the directory of
// the netrun binary) so they can be tested without installing anything.
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "netlib/error.hpp"

namespace netrun::net {

// Directory holding the running netrun binary (/proc/self/exe); empty if unknown.
std::string executable_dir();

// ':'-separated list, empty entries dropped.
std::vector<std::string> split_path_list(std::string_view list);

// Plugin search path. `env_cni_path` (CNI_PATH, may be null/empty) wins. Otherwise: our own
// plugins first — `<exe_dir>/../lib/cni` (normalised) when it exists (installed layout), else `<exe_dir>`
// (the build tree, where plugins sit beside netrun) — then /opt/cni/bin and /usr/lib/cni
// (the conventional and Debian locations of the reference plugins).
std::vector<std::string> default_cni_path(const char* env_cni_path, const std::string& exe_dir);

// The user's network config dir, where `netrun network create` writes: $NETRUN_CNI_CONF_DIR
// when set (tests point it at a temp dir), else /etc/cni/net.d.
std::string user_conf_dir(const char* env_conf_dir = std::getenv("NETRUN_CNI_CONF_DIR"));

// Network config dirs, searched in order: `user_dir`, `<exe_dir>/../share/netrun/conf`
// (installed conf/), and `source_conf_dir` (the source tree's conf/, for development).
std::vector<std::string> default_conf_dirs(const std::string& exe_dir, std::string_view source_conf_dir,
                                           const std::string& user_dir = user_conf_dir());

// Container ID when --id is not given: the netns file's name (/run/netns/web -> "web");
// /proc/PID/ns/net -> "pid-PID". Must match the CNI container ID rules.
netlib::Expected<std::string> container_id_from_netns(std::string_view netns);

}  // namespace netrun::net
