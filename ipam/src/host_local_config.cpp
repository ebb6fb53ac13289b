#include "ipam/host_local_config.hpp"

#include <algorithm>

#include "ipam/config_common.hpp"
#include "ipam/range_config.hpp"
#include "netlib/cni/config_fields.hpp"

namespace ipam {

using netlib::Code;
using netlib::Expected;
using netlib::fail;
using nlohmann::json;
namespace cni = netlib::cni;

namespace {

// "10.1.0.5" or "10.1.0.5/24" (the prefix is ignored, as the reference does).
Expected<ip::Addr> requested_addr(std::string_view text, std::string_view source) {
    auto slash = text.find('/');
    std::optional<ip::Addr> a;
    if (slash == std::string_view::npos)
        a = ip::Addr::parse(text);
    else if (auto n = ip::Net::parse(text))
        a = n->addr;
    if (!a)
        return fail(Code::InvalidConfig, "requested IP \"" + std::string(text) + "\" in " +
                                             std::string(source) + " is not an IP address");
    return *a;
}

Expected<> add_list(const json& list, std::string_view source, std::vector<ip::Addr>& out) {
    if (list.is_null()) return {};
    if (!list.is_array())
        return fail(Code::InvalidConfig,
                    std::string(source) + " must be a list of IP strings, got " + list.dump());
    for (const auto& e : list) {
        if (!e.is_string())
            return fail(Code::InvalidConfig,
                        std::string(source) + " must be a list of IP strings, got " + e.dump());
        out.push_back(NETLIB_TRY(requested_addr(e.get<std::string>(), source)));
    }
    return {};
}

Expected<std::vector<ip::Addr>> requested_addrs(const cni::Request& req) {
    std::vector<ip::Addr> all;
    if (auto arg = req.arg("IP"))
        for (const auto& item : split_list(*arg))
            all.push_back(NETLIB_TRY(requested_addr(item, "CNI_ARGS IP")));
    if (auto a = req.config.find("args"); a != req.config.end() && a->is_object())
        if (auto c = a->find("cni"); c != a->end() && c->is_object())
            if (auto ips = c->find("ips"); ips != c->end())
                NETLIB_TRYV(add_list(*ips, "args.cni.ips", all));
    NETLIB_TRYV(add_list(req.runtime_config("ips"), "runtimeConfig.ips", all));
    std::vector<ip::Addr> unique;
    for (const auto& a : all)
        if (std::find(unique.begin(), unique.end(), a) == unique.end()) unique.push_back(a);
    return unique;
}

// runtimeConfig.ipRanges, then the legacy single range, then ipam.ranges.
Expected<std::vector<RangeSet>> range_sets(const cni::Request& req, const json& ipam) {
    std::vector<RangeSet> sets;
    if (const auto& rc = req.runtime_config("ipRanges"); !rc.is_null())
        sets = NETLIB_TRY(parse_range_sets(rc, "runtimeConfig.ipRanges"));
    if (auto s = ipam.find("subnet");
        s != ipam.end() && !s->is_null() && !(s->is_string() && s->get<std::string>().empty()))
        sets.push_back(RangeSet{{NETLIB_TRY(parse_range(ipam, "ipam"))}});
    if (auto r = ipam.find("ranges"); r != ipam.end() && !r->is_null()) {
        auto more = NETLIB_TRY(parse_range_sets(*r, "ipam.ranges"));
        sets.insert(sets.end(), more.begin(), more.end());
    }
    if (sets.empty())
        return fail(Code::InvalidConfig,
                    "no IP ranges specified: set ipam.ranges "
                    "([[{\"subnet\": \"10.1.0.0/24\"}]]) or ipam.subnet");
    NETLIB_TRYV(check_disjoint(sets));
    return sets;
}

}  // namespace

Expected<StoreConfig> load_store_config(const cni::Request& req) {
    const json& ipam = *NETLIB_TRY(ipam_section(req));
    StoreConfig sc;
    sc.network = req.name;
    sc.data_dir = NETLIB_TRY(cni::get_string(ipam, "dataDir", kDefaultDataDir));
    if (sc.data_dir.empty()) sc.data_dir = kDefaultDataDir;
    return sc;
}

Expected<HostLocalConfig> load_host_local_config(const cni::Request& req) {
    const json& ipam = *NETLIB_TRY(ipam_section(req));
    HostLocalConfig c;
    c.store = NETLIB_TRY(load_store_config(req));
    c.ranges = NETLIB_TRY(range_sets(req, ipam));
    c.requested = NETLIB_TRY(requested_addrs(req));
    c.routes = NETLIB_TRY(parse_routes(ipam, "routes"));
    c.resolv_conf = NETLIB_TRY(cni::get_string(ipam, "resolvConf"));
    return c;
}

}  // namespace ipam
