#pragma once
// Shared between conflist.cpp (documents) and conflist_load.cpp (files and dirs).
#include <nlohmann/json.hpp>
#include <string_view>

#include "netlib/cni/conflist.hpp"

namespace netlib::cni::detail {

// A plugin object: JSON object with a non-empty string "type" and boolean "capabilities".
Expected<> validate_plugin(const nlohmann::json& plugin, std::string_view where);

// Parse and validate a list document. With `plugins_optional`, a missing "plugins" key is
// allowed (the caller appends plugins from the plugin directory and checks again).
Expected<NetworkConfigList> parse_list_document(std::string_view bytes, bool plugins_optional);

}  // namespace netlib::cni::detail
