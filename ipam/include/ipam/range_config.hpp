#pragma once
// host-local range configuration -> validated RangeSets. Every error is InvalidConfig (7) and
// names the JSON path of the offending range (e.g. "ipam.ranges[1][0]") and what to change.
#include <nlohmann/json.hpp>
#include <span>
#include <string_view>
#include <vector>

#include "ipam/range.hpp"
#include "netlib/error.hpp"

namespace ipam {

using netlib::Expected;

// {"subnet", "rangeStart"?, "rangeEnd"?, "gateway"?}. Defaults: start = network+1,
// end = broadcast-1 (v4) or the last address (v6), gateway = network+1.
Expected<Range> parse_range(const nlohmann::json& j, std::string_view where);

// A list of range objects: one family, no two ranges overlapping.
Expected<RangeSet> parse_range_set(const nlohmann::json& j, std::string_view where);

// [[range, ...], ...] as in ipam.ranges / runtimeConfig.ipRanges.
Expected<std::vector<RangeSet>> parse_range_sets(const nlohmann::json& j, std::string_view where);

// No address may belong to two range sets.
Expected<> check_disjoint(std::span<const RangeSet> sets);

}  // namespace ipam
