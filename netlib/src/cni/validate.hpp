#pragma once
// Spec-level validation of protocol parameters (container id, ifname, network name, CNI_ARGS).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "netlib/error.hpp"

namespace netlib::cni {

Expected<> validate_container_id(std::string_view id);
Expected<> validate_network_name(std::string_view name);
Expected<> validate_ifname(std::string_view ifname);
// "K=V;K=V": unknown keys are refused (code 2) unless IgnoreUnknown is true.
Expected<std::vector<std::pair<std::string, std::string>>> parse_cni_args(
    std::string_view raw, const std::vector<std::string>& known);

}  // namespace netlib::cni
