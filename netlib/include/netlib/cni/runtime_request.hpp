#pragma once
// What a runtime sends one plugin of a list: the plugin object with the list's `name` and
// selected `cniVersion` injected, `runtimeConfig` with the capabilities the plugin declares
// true AND the runtime supplied (left untouched when that set is empty, as libcni does), and
// `prevResult` when there is one.
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "netlib/cni/skel.hpp"
#include "netlib/error.hpp"

namespace netlib::cni {

// Capabilities of `plugin` ("capabilities": {name: bool}) that are true and present in
// `capability_args`; an empty object when none.
nlohmann::json runtime_config_for(const nlohmann::json& plugin, const nlohmann::json& capability_args);

// The stdin document for one plugin. `prev_result` and `capability_args` may be null (GC and
// STATUS send neither). The plugin's own `capabilities` key is passed through, like libcni.
nlohmann::json build_plugin_config(const nlohmann::json& plugin, std::string_view network_name,
                                   std::string_view cni_version, const nlohmann::json& prev_result,
                                   const nlohmann::json& capability_args);

// A plugin's ADD output as a Result of `cni_version`, ready to be the next prevResult or the
// cached final result. A result without "cniVersion" is read as `cni_version` (libcni does
// the same); versions older than 0.3.0 cannot be converted (code 1).
Expected<nlohmann::json> convert_result(const nlohmann::json& result, std::string_view cni_version);

// CNI_ARGS text for the pairs: "K=V;K=V".
std::string cni_args_string(std::span<const std::pair<std::string, std::string>> args);

// The GC list: [{"containerID": .., "ifname": ..}, ...].
nlohmann::json valid_attachments_json(std::span<const Attachment> valid);

// Serialise a request for a plugin's stdin (never throws on odd UTF-8).
std::string to_stdin(const nlohmann::json& config);

}  // namespace netlib::cni
