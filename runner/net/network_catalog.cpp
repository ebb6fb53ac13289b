#include "net/network_catalog.hpp"

#include <algorithm>
#include <array>

namespace netrun::net {

using nlohmann::json;
namespace ip = netlib::ip;

namespace {

void add_subnet(std::vector<ip::Net>& out, const json& j) {
    if (!j.is_string()) return;
    if (auto n = ip::Net::parse(j.get<std::string>());
        n && std::ranges::find(out, n->masked()) == out.end())
        out.push_back(n->masked());
}

NetworkEntry entry_of(std::string name, netlib::cni::NetworkConfigList list) {
    NetworkEntry e{.name = std::move(name),
                   .driver = list.plugins.empty()
                                 ? std::string{}
                                 : list.plugins.front().value("type", std::string{}),
                   .subnets = conflist_subnets(list.plugins),
                   .source = list.source,
                   .config = std::move(list)};
    return e;
}

}  // namespace

std::vector<ip::Net> conflist_subnets(std::span<const json> plugins) {
    std::vector<ip::Net> out;
    for (const auto& p : plugins) {
        auto ipam = p.find("ipam");
        if (ipam == p.end() || !ipam->is_object()) continue;
        if (auto s = ipam->find("subnet"); s != ipam->end()) add_subnet(out, *s);
        if (auto sets = ipam->find("ranges"); sets != ipam->end() && sets->is_array())
            for (const auto& set : *sets)
                if (set.is_array())
                    for (const auto& r : set)
                        if (r.is_object() && r.contains("subnet")) add_subnet(out, r["subnet"]);
        if (auto addrs = ipam->find("addresses"); addrs != ipam->end() && addrs->is_array())
            for (const auto& a : *addrs)
                if (a.is_object() && a.contains("address")) add_subnet(out, a["address"]);
    }
    return out;
}

bool is_reserved_network_name(std::string_view name) {
    static constexpr std::array<std::string_view, 6> kReserved{"bridge",  "host",   "none",
                                                               "macvlan", "ipvlan", "default"};
    return std::ranges::find(kReserved, name) != kReserved.end() || name.starts_with("container:");
}

Catalog load_catalog(std::span<const std::string> conf_dirs) {
    auto scan = netlib::cni::scan_conflists(conf_dirs);
    Catalog c;
    c.skipped = std::move(scan.skipped);
    auto bridge = std::ranges::find(scan.networks, kDefaultBridgeNetwork,
                                    &netlib::cni::NetworkConfigList::name);
    if (bridge != scan.networks.end()) {
        c.networks.push_back(entry_of("bridge", std::move(*bridge)));
        scan.networks.erase(bridge);
    }
    c.networks.push_back(
        {.name = "host", .driver = "host", .subnets = {}, .source = {}, .config = std::nullopt});
    c.networks.push_back(
        {.name = "none", .driver = "null", .subnets = {}, .source = {}, .config = std::nullopt});
    for (auto& list : scan.networks) {
        std::string name = list.name;
        c.networks.push_back(entry_of(std::move(name), std::move(list)));
    }
    return c;
}

const NetworkEntry* find_network(const Catalog& c, std::string_view name) {
    if (name == kDefaultBridgeNetwork) name = "bridge";
    auto it = std::ranges::find(c.networks, name, &NetworkEntry::name);
    return it == c.networks.end() ? nullptr : &*it;
}

}  // namespace netrun::net
