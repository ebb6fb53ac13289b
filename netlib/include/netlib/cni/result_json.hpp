#pragma once
// Result <-> JSON for each supported wire version. 1.x: as the spec. 0.3.x/0.4.0 add
// ips[].version ("4"/"6"). Routes' mtu/advmss/priority/table/scope and interface
// mtu/socketPath/pciID exist only from 1.1.0 on and are dropped for older versions.
#include <nlohmann/json_fwd.hpp>
#include <string_view>

#include "netlib/cni/types.hpp"
#include "netlib/error.hpp"

namespace netlib::cni {

nlohmann::json result_to_json(const Result& r, std::string_view version);
Expected<Result> result_from_json(const nlohmann::json& j);

}  // namespace netlib::cni
