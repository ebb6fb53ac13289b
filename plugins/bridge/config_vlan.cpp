// The bridge's VLAN keys, with the reference plugin's rules: vlan 0..4094 (0 = none); trunk
// entries {"id":N} and/or {"minID":a,"maxID":b} with ids 1..4094 and a <= b (overlapping
// entries merge); an access vlan and a trunk on one port are refused, as are unknown shapes.
#include <algorithm>

#include "config.hpp"
#include "netlib/cni/config_fields.hpp"

namespace bridge {

using netlib::Code;
using netlib::fail;
using nlohmann::json;
namespace cni = netlib::cni;

namespace {

using Range = std::pair<std::uint16_t, std::uint16_t>;

netlib::Expected<std::optional<std::uint16_t>> trunk_id(const json& entry, const char* key,
                                                        size_t index) {
    auto v = cni::get_int(entry, key, 1, 4094);
    if (!v)
        return fail(Code::InvalidConfig,
                    "vlanTrunk[" + std::to_string(index) + "]: " + v.error().msg);
    if (!*v) return std::optional<std::uint16_t>{};
    return std::optional<std::uint16_t>{static_cast<std::uint16_t>(**v)};
}

netlib::Expected<> add_trunk_entry(const json& entry, size_t index, std::vector<Range>& out) {
    const std::string where = "vlanTrunk[" + std::to_string(index) + "]";
    if (!entry.is_object())
        return fail(
            Code::InvalidConfig,
            where + " must be an object like {\"id\": 10} or {\"minID\": 10, \"maxID\": 20}");
    for (const auto& [k, _] : entry.items())
        if (k != "id" && k != "minID" && k != "maxID")
            return fail(Code::InvalidConfig,
                        where + " has unknown key \"" + k + "\" (use id, or minID and maxID)");
    auto id = NETLIB_TRY(trunk_id(entry, "id", index));
    auto lo = NETLIB_TRY(trunk_id(entry, "minID", index));
    auto hi = NETLIB_TRY(trunk_id(entry, "maxID", index));
    if (lo.has_value() != hi.has_value())
        return fail(Code::InvalidConfig, where + ": minID and maxID must be given together");
    if (lo && *lo > *hi)
        return fail(Code::InvalidConfig, where + ": minID " + std::to_string(*lo) +
                                             " is greater than maxID " + std::to_string(*hi));
    if (!id && !lo)
        return fail(Code::InvalidConfig, where + " names no VLAN (use id, or minID and maxID)");
    if (id) out.emplace_back(*id, *id);
    if (lo) out.emplace_back(*lo, *hi);
    return {};
}

// Sorted, overlapping or adjacent ranges joined: one kernel request per range.
std::vector<Range> merge(std::vector<Range> r) {
    std::sort(r.begin(), r.end());
    std::vector<Range> out;
    for (const auto& x : r) {
        if (!out.empty() && x.first <= out.back().second + 1)
            out.back().second = std::max(out.back().second, x.second);
        else
            out.push_back(x);
    }
    return out;
}

}  // namespace

netlib::Expected<> parse_vlan_keys(const json& c, Config& cfg) {
    cfg.vlan = static_cast<std::uint16_t>(NETLIB_TRY(cni::get_int(c, "vlan", 0, 4094)).value_or(0));
    cfg.preserve_default_vlan = NETLIB_TRY(cni::get_bool(c, "preserveDefaultVlan", true));
    if (auto t = c.find("vlanTrunk"); t != c.end() && !t->is_null()) {
        if (!t->is_array())
            return fail(Code::InvalidConfig,
                        "config key \"vlanTrunk\" must be a list of {\"id\"} / "
                        "{\"minID\",\"maxID\"} objects");
        std::vector<Range> ranges;
        for (size_t i = 0; i < t->size(); ++i) NETLIB_TRYV(add_trunk_entry((*t)[i], i, ranges));
        cfg.trunk = merge(std::move(ranges));
    }
    if (cfg.vlan != 0 && !cfg.trunk.empty())
        return fail(Code::InvalidConfig,
                    "cannot set both \"vlan\" (access port) and \"vlanTrunk\" (trunk port) "
                    "on one bridge port; use one of them");
    if (cfg.vlan != 0 && cfg.is_gateway)
        return fail(Code::UnsupportedField,
                    "isGateway with \"vlan\" is not supported by this version of the "
                    "bridge plugin (the gateway would need a VLAN interface on the bridge)");
    return {};
}

}  // namespace bridge
