#include "net/sublink_network.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include "netlib/cni/validate_names.hpp"

namespace netrun::net {

using netlib::Code;
using netlib::Expected;
using netlib::fail;
using nlohmann::json;
namespace ip = netlib::ip;

namespace {

constexpr std::array<std::string_view, 4> kMacvlanModes{"bridge", "private", "vepa", "passthru"};
constexpr std::array<std::string_view, 3> kIpvlanModes{"l2", "l3", "l3s"};

// In l3/l3s the ipvlan device is NOARP and the parent's stack routes by destination, so a
// next hop would never be resolved: the container just needs its default route on the device.
bool routes_by_parent(const SublinkNetworkSpec& s) {
    return s.kind == "ipvlan" && (s.mode == "l3" || s.mode == "l3s");
}

// "kind" alone, or followed by ':' / ','; anything else ("macvlanfoo") is a network name.
std::optional<std::string_view> kind_of(std::string_view value) {
    for (std::string_view kind : {"macvlan", "ipvlan"})
        if (value.starts_with(kind) &&
            (value.size() == kind.size() || value[kind.size()] == ':' || value[kind.size()] == ','))
            return kind;
    return std::nullopt;
}

}  // namespace

std::string default_sublink_mode(std::string_view kind) {
    return kind == "ipvlan" ? "l2" : "bridge";
}

Expected<> validate_sublink_mode(std::string_view kind, std::string_view mode) {
    auto ok = [&](auto& modes) { return std::ranges::find(modes, mode) != modes.end(); };
    if (kind == "ipvlan" ? ok(kIpvlanModes) : ok(kMacvlanModes)) return {};
    return fail(Code::InvalidConfig,
                "unknown " + std::string(kind) + " mode \"" + std::string(mode) + "\" (use " +
                    (kind == "ipvlan" ? "l2, l3 or l3s" : "bridge, private, vepa or passthru") +
                    ")");
}

Expected<std::optional<SublinkNetworkSpec>> parse_sublink_network(std::string_view value) {
    auto kind = kind_of(value);
    if (!kind) return std::nullopt;
    auto bad = [&](const std::string& why) {
        return fail(Code::InvalidConfig, "--net " + std::string(value) + ": " + why);
    };
    SublinkNetworkSpec s{
        .kind = std::string(*kind), .parent = {}, .mode = default_sublink_mode(*kind)};
    std::string_view rest = value.substr(kind->size());
    std::string_view parent_part = rest.substr(0, rest.find(','));
    std::string_view options = rest.substr(parent_part.size());
    if (!parent_part.empty()) {  // ":PARENT"
        s.parent = std::string(parent_part.substr(1));
        if (auto v = netlib::cni::validate_link_name(s.parent, "parent"); !v)
            return bad(v.error().msg);
    }
    while (!options.empty()) {  // ",key=value"...
        options.remove_prefix(1);
        std::string_view opt = options.substr(0, options.find(','));
        options.remove_prefix(opt.size());
        auto eq = opt.find('=');
        if (eq == std::string_view::npos || opt.substr(0, eq) != "mode")
            return bad("unknown option \"" + std::string(opt) + "\" (only mode=M)");
        s.mode = std::string(opt.substr(eq + 1));
        if (auto v = validate_sublink_mode(s.kind, s.mode); !v) return bad(v.error().msg);
    }
    return s;
}

std::string sublink_network_name(const SublinkNetworkSpec& s, std::string_view parent) {
    std::string name = "netrun-" + s.kind + "-" + std::string(parent);
    if (s.mode != default_sublink_mode(s.kind)) name += "-" + s.mode;
    return name;
}

Expected<json> ranges_excluding(const ip::Net& subnet, std::span<const ip::Addr> exclude,
                                std::optional<ip::Addr> gateway) {
    if (!subnet.addr.is_v4() || subnet.prefix > 30)
        return fail(Code::InvalidConfig,
                    "subnet " + subnet.masked().str() +
                        " has no room for containers (an IPv4 subnet of /30 or larger is needed)");
    const ip::Net net = subnet.masked();
    const std::uint32_t first = net.network().v4_host_order() + 1,
                        last = net.last().v4_host_order() - 1;
    std::vector<std::uint32_t> holes;
    for (const auto& a : exclude)
        if (a.is_v4() && a.v4_host_order() >= first && a.v4_host_order() <= last)
            holes.push_back(a.v4_host_order());
    std::ranges::sort(holes);
    json set = json::array();
    auto add = [&](std::uint32_t lo, std::uint32_t hi) {
        json r{{"subnet", net.str()},
               {"rangeStart", ip::Addr::v4(lo).str()},
               {"rangeEnd", ip::Addr::v4(hi).str()}};
        if (gateway) r["gateway"] = gateway->str();
        set.push_back(std::move(r));
    };
    std::uint32_t from = first;  // first address not yet covered or excluded; last + 1 = done
    for (std::uint32_t h : holes) {
        if (h > from) add(from, h - 1);
        from = std::max(from, h + 1);
    }
    if (from <= last) add(from, last);
    if (set.empty())
        return fail(
            Code::InvalidConfig,
            "subnet " + net.str() +
                " has no address left for containers once the host's and the gateway's are taken");
    return set;
}

Expected<json> sublink_conflist(const SublinkNetworkSpec& s, const ParentInfo& p) {
    const ip::Net subnet = p.address.masked();
    std::vector<ip::Addr> taken{p.address.addr};
    const bool gateway_on_link = p.gateway && subnet.contains(*p.gateway);
    if (gateway_on_link) taken.push_back(*p.gateway);
    const bool via_gateway = gateway_on_link && !routes_by_parent(s);
    json ranges =
        NETLIB_TRY(ranges_excluding(subnet, taken, via_gateway ? p.gateway : std::nullopt));
    json ipam{{"type", "host-local"}, {"ranges", json::array({std::move(ranges)})}};
    // A gateway outside the subnet would need an on-link route the CNI result cannot express:
    // such a network reaches its subnet only.
    if (via_gateway || routes_by_parent(s)) ipam["routes"] = json::array({{{"dst", "0.0.0.0/0"}}});
    json caps{{"ips", true}};
    if (s.kind == "macvlan") caps["mac"] = true;  // ipvlan devices share the parent's MAC
    json plugin{{"type", s.kind},
                {"master", p.name},
                {"mode", s.mode},
                {"capabilities", std::move(caps)},
                {"ipam", std::move(ipam)}};
    return json{{"cniVersion", "1.1.0"},
                {"cniVersions", {"1.1.0", "1.0.0"}},
                {"name", sublink_network_name(s, p.name)},
                {"plugins", json::array({std::move(plugin)})}};
}

}  // namespace netrun::net
