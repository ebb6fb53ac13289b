#pragma once
// Typed reads of plugin config keys. A wrong type is an InvalidConfig (7) error naming the key
// and what was found, so a person can fix the conflist without reading our source.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "netlib/cni/skel.hpp"
#include "netlib/error.hpp"

namespace netlib::cni {

Expected<bool> get_bool(const nlohmann::json& obj, std::string_view key, bool def);
Expected<std::string> get_string(const nlohmann::json& obj, std::string_view key,
                                 std::string_view def = {});
Expected<std::optional<long long>> get_int(const nlohmann::json& obj, std::string_view key,
                                           long long min, long long max);

// The "dns" key (nameservers, domain, search, options); absent or null = empty.
Expected<Dns> get_dns(const nlohmann::json& cfg);

// Requested container MAC: runtimeConfig.mac > args.cni.mac > CNI_ARGS MAC (CONVENTIONS.md).
// Validated as a unicast "aa:bb:cc:dd:ee:ff"; empty when none was requested.
Expected<std::string> requested_mac(const Request& req);

}  // namespace netlib::cni
