#include "ipam/range_config.hpp"

#include <string>

namespace ipam {

using netlib::Code;
using netlib::fail;
using nlohmann::json;

namespace {

std::string family_name(const ip::Addr& a) {
    return a.is_v4() ? "IPv4" : "IPv6";
}

// An optional address key; absent or null -> nullopt.
Expected<std::optional<ip::Addr>> addr_key(const json& j, const char* key, std::string_view where) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return std::optional<ip::Addr>{};
    if (it->is_string()) {
        if (auto a = ip::Addr::parse(it->get<std::string>())) return std::optional<ip::Addr>{*a};
    }
    return fail(Code::InvalidConfig,
                std::string(where) + ": \"" + key + "\" must be an IP address, got " + it->dump());
}

Expected<ip::Net> subnet_key(const json& j, std::string_view where) {
    auto it = j.find("subnet");
    if (it == j.end() || it->is_null() || (it->is_string() && it->get<std::string>().empty()))
        return fail(Code::InvalidConfig, std::string(where) + ": \"subnet\" is required");
    std::optional<ip::Net> n;
    if (it->is_string()) n = ip::Net::parse(it->get<std::string>());
    if (!n)
        return fail(Code::InvalidConfig, std::string(where) +
                                             ": \"subnet\" must be a CIDR such as "
                                             "10.1.0.0/24, got " +
                                             it->dump());
    // Two addresses are the least that leaves one to allocate besides network and gateway
    // (v4 also loses the broadcast address), hence the reference's /30 and /126 limits.
    if (n->prefix > n->addr.bits() - 2)
        return fail(Code::InvalidConfig, std::string(where) + ": Network " + n->str() +
                                             " too small to allocate from (an " +
                                             family_name(n->addr) + " subnet needs a prefix of /" +
                                             std::to_string(n->addr.bits() - 2) + " or shorter)");
    if (n->has_host_bits())
        return fail(Code::InvalidConfig, std::string(where) + ": Network " + n->str() +
                                             " has host bits set. For a subnet mask of length " +
                                             std::to_string(n->prefix) +
                                             " the network address is " + n->network().str());
    return *n;
}

// Address key `key` of range `j`, `def` when absent; must lie in the subnet.
Expected<ip::Addr> in_subnet(const json& j, const char* key, ip::Addr def, const ip::Net& subnet,
                             std::string_view where) {
    auto a = NETLIB_TRY(addr_key(j, key, where));
    if (!a) return def;
    if (!subnet.contains(*a))
        return fail(Code::InvalidConfig, std::string(where) + ": " + key + " " + a->str() +
                                             " is not in subnet " + subnet.str());
    return *a;
}

}  // namespace

Expected<Range> parse_range(const json& j, std::string_view where) {
    if (!j.is_object())
        return fail(Code::InvalidConfig,
                    std::string(where) + " must be an object with a \"subnet\", got " + j.dump());
    Range r;
    r.subnet = NETLIB_TRY(subnet_key(j, where));
    const ip::Addr first = r.subnet.network().next();
    ip::Addr last = r.subnet.last();
    if (r.subnet.addr.is_v4()) last = last.prev();  // skip the broadcast address
    r.start = NETLIB_TRY(in_subnet(j, "rangeStart", first, r.subnet, where));
    r.end = NETLIB_TRY(in_subnet(j, "rangeEnd", last, r.subnet, where));
    r.gateway = NETLIB_TRY(in_subnet(j, "gateway", first, r.subnet, where));
    if (r.end < r.start)
        return fail(Code::InvalidConfig, std::string(where) + ": rangeStart " + r.start.str() +
                                             " is after rangeEnd " + r.end.str());
    return r;
}

Expected<RangeSet> parse_range_set(const json& j, std::string_view where) {
    if (!j.is_array())
        return fail(Code::InvalidConfig,
                    std::string(where) + " must be a list of ranges, got " + j.dump());
    if (j.empty()) return fail(Code::InvalidConfig, std::string(where) + ": empty range set");
    RangeSet set;
    for (std::size_t i = 0; i < j.size(); ++i) {
        std::string w = std::string(where) + "[" + std::to_string(i) + "]";
        Range r = NETLIB_TRY(parse_range(j[i], w));
        if (!set.ranges.empty() && r.start.family() != set.family())
            return fail(Code::InvalidConfig, std::string(where) + ": mixed address families (" +
                                                 set.ranges.front().subnet.str() + " and " +
                                                 r.subnet.str() +
                                                 "); use one range set per family");
        for (const auto& o : set.ranges)
            if (o.overlaps(r))
                return fail(Code::InvalidConfig, std::string(where) + ": ranges " + o.str() +
                                                     " and " + r.str() + " overlap");
        set.ranges.push_back(std::move(r));
    }
    return set;
}

Expected<std::vector<RangeSet>> parse_range_sets(const json& j, std::string_view where) {
    if (!j.is_array())
        return fail(Code::InvalidConfig, std::string(where) +
                                             " must be a list of range sets "
                                             "([[{\"subnet\": ...}], ...]), got " +
                                             j.dump());
    std::vector<RangeSet> out;
    for (std::size_t i = 0; i < j.size(); ++i)
        out.push_back(
            NETLIB_TRY(parse_range_set(j[i], std::string(where) + "[" + std::to_string(i) + "]")));
    return out;
}

Expected<> check_disjoint(std::span<const RangeSet> sets) {
    for (std::size_t i = 0; i < sets.size(); ++i)
        for (std::size_t k = i + 1; k < sets.size(); ++k)
            if (sets[i].overlaps(sets[k]))
                return fail(Code::InvalidConfig, "range set " + std::to_string(i) + " (" +
                                                     sets[i].str() + ") overlaps with range set " +
                                                     std::to_string(k) + " (" + sets[k].str() +
                                                     ")");
    return {};
}

}  // namespace ipam
