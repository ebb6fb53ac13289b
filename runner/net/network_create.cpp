#include "net/network_create.hpp"

#include <algorithm>

#include "cli/args.hpp"
#include "netlib/cni/validate_names.hpp"

namespace netrun::net {

using netlib::Code;
using netlib::Expected;
using netlib::fail;
using nlohmann::json;
namespace ip = netlib::ip;

namespace {

constexpr cli::OptionSpec kCreateOptions[] = {
    {"driver", 'd', true}, {"subnet", 0, true},    {"gateway", 0, true}, {"ip-range", 0, true},
    {"opt", 'o', true},    {"internal", 0, false}, {"help", 'h', false},
};

Expected<ip::Net> parse_cidr(std::string_view flag, const std::string& v) {
    auto n = ip::Net::parse(v);
    if (!n)
        return fail(Code::InvalidConfig,
                    "--" + std::string(flag) + " " + v + ": not a CIDR (such as 10.91.0.0/24)");
    if (n->has_host_bits())
        return fail(Code::InvalidConfig, "--" + std::string(flag) + " " + v +
                                             ": host bits set (did you mean " + n->masked().str() +
                                             "?)");
    return *n;
}

Expected<> apply_opt(CreateRequest& r, const std::string& kv) {
    auto eq = kv.find('=');
    if (eq == std::string::npos)
        return fail(Code::InvalidConfig, "-o " + kv + ": expected KEY=VALUE");
    std::string key = kv.substr(0, eq), value = kv.substr(eq + 1);
    if (key == "parent")
        r.parent = value;
    else if (key == "mode" || key == "macvlan_mode" || key == "ipvlan_mode")
        r.mode = value;
    else
        return fail(Code::InvalidConfig, "-o " + kv + ": unknown option (parent=IF, mode=M)");
    return {};
}

// The first and last address host-local may hand out in `subnet` (v4 keeps its broadcast).
std::pair<ip::Addr, ip::Addr> usable(const ip::Net& subnet) {
    ip::Addr last = subnet.last();
    if (subnet.addr.is_v4()) last = last.prev();
    return {subnet.network().next(), last};
}

Expected<> check_addressing(const CreateRequest& r, const ip::Net& subnet) {
    if (subnet.prefix > subnet.addr.bits() - 2)
        return fail(Code::InvalidConfig, "--subnet " + subnet.str() + " is too small (at most /" +
                                             std::to_string(subnet.addr.bits() - 2) + ")");
    auto [first, last] = usable(subnet);
    if (r.gateway &&
        (r.gateway->family() != subnet.family() || *r.gateway < first || last < *r.gateway))
        return fail(Code::InvalidConfig, "--gateway " + r.gateway->str() +
                                             " is not a host address of subnet " + subnet.str());
    if (r.ip_range && (!subnet.contains(r.ip_range->addr) || r.ip_range->prefix < subnet.prefix))
        return fail(Code::InvalidConfig,
                    "--ip-range " + r.ip_range->str() + " is not inside subnet " + subnet.str());
    return {};
}

Expected<> check_name(const CreateRequest& r, const Catalog& existing) {
    if (is_reserved_network_name(r.name))
        return fail(Code::InvalidConfig,
                    "network name \"" + r.name + "\" is reserved (built-in network mode)");
    NETLIB_TRYV(netlib::cni::validate_network_name(r.name));
    if (const auto* n = find_network(existing, r.name))
        return fail(Code::InvalidConfig,
                    "network with name " + r.name + " already exists" +
                        (n->source.empty() ? std::string{} : " (" + n->source + ")"));
    return {};
}

Expected<> check_overlap(const ip::Net& subnet, const Catalog& existing) {
    for (const auto& n : existing.networks)
        for (const auto& s : n.subnets)
            if (s.overlaps(subnet))
                return fail(Code::InvalidConfig,
                            "subnet " + subnet.str() + " overlaps " + s.str() + " of network " +
                                n.name + (n.source.empty() ? "" : " (" + n.source + ")"));
    return {};
}

Expected<> check_bridge_name(const std::string& bridge, const Catalog& existing) {
    for (const auto& n : existing.networks)
        if (n.config)
            for (const auto& p : n.config->plugins)
                if (p.value("type", "") == "bridge" && p.value("bridge", "") == bridge)
                    return fail(Code::InvalidConfig,
                                "bridge " + bridge + " is already used by network " + n.name +
                                    " (names sharing their first 10 characters collide; "
                                    "pick another name)");
    return {};
}

std::vector<ip::Net> all_subnets(const Catalog& c) {
    std::vector<ip::Net> out;
    for (const auto& n : c.networks) out.insert(out.end(), n.subnets.begin(), n.subnets.end());
    return out;
}

// One host-local range set: the subnet (narrowed by --ip-range), or the subnet minus the
// addresses already on the LAN (parent's own address).
Expected<json> range_set(const CreateRequest& r, const ip::Net& subnet,
                         std::span<const ip::Addr> taken) {
    if (!r.ip_range && subnet.addr.is_v4() && !taken.empty()) {
        std::vector<ip::Addr> holes(taken.begin(), taken.end());
        if (r.gateway) holes.push_back(*r.gateway);
        return ranges_excluding(subnet, holes, r.gateway);
    }
    json range{{"subnet", subnet.str()}};
    if (r.gateway) range["gateway"] = r.gateway->str();
    if (r.ip_range) {
        auto [first, last] = usable(subnet);
        range["rangeStart"] = std::max(first, r.ip_range->network()).str();
        range["rangeEnd"] = std::min(last, r.ip_range->last()).str();
    }
    return json::array({std::move(range)});
}

json ipam_for(const CreateRequest& r, const ip::Net& subnet, json ranges) {
    json ipam{{"type", "host-local"}, {"ranges", json::array({std::move(ranges)})}};
    if (!r.internal)
        ipam["routes"] = json::array({{{"dst", subnet.addr.is_v4() ? "0.0.0.0/0" : "::/0"}}});
    return ipam;
}

json conflist(const std::string& name, json plugins) {
    return json{{"cniVersion", "1.1.0"},
                {"cniVersions", {"1.1.0", "1.0.0"}},
                {"name", name},
                {"plugins", std::move(plugins)}};
}

Expected<json> bridge_network(const CreateRequest& r, const Catalog& existing) {
    if (!r.parent.empty() || !r.mode.empty())
        return fail(Code::InvalidConfig,
                    "-o parent/mode apply to the macvlan and ipvlan drivers only");
    auto subnet = r.subnet;
    if (!subnet) subnet = pick_free_subnet(all_subnets(existing));
    if (!subnet)
        return fail(Code::InvalidConfig, "no free 10.90.N.0/24 subnet left; pass --subnet");
    NETLIB_TRYV(check_addressing(r, *subnet));
    NETLIB_TRYV(check_overlap(*subnet, existing));
    const std::string bridge = bridge_name_for(r.name);
    NETLIB_TRYV(check_bridge_name(bridge, existing));
    json main{{"type", "bridge"},
              {"bridge", bridge},
              {"isGateway", true},
              {"ipMasq", !r.internal},
              {"hairpinMode", true},
              {"capabilities", {{"ips", true}, {"mac", true}}},
              {"ipam", ipam_for(r, *subnet, NETLIB_TRY(range_set(r, *subnet, {})))}};
    json portmap{{"type", "portmap"}, {"capabilities", {{"portMappings", true}}}, {"snat", true}};
    return conflist(r.name, json::array({std::move(main), std::move(portmap)}));
}

Expected<json> sublink_network(const CreateRequest& r, const Catalog& existing,
                               const ParentLookup& lookup_parent) {
    if (!r.subnet)
        return fail(Code::InvalidConfig,
                    "the " + r.driver + " driver needs --subnet (the parent's LAN)");
    NETLIB_TRYV(check_addressing(r, *r.subnet));
    NETLIB_TRYV(check_overlap(*r.subnet, existing));
    const std::string mode = r.mode.empty() ? default_sublink_mode(r.driver) : r.mode;
    NETLIB_TRYV(validate_sublink_mode(r.driver, mode));
    if (!r.parent.empty()) NETLIB_TRYV(netlib::cni::validate_link_name(r.parent, "-o parent"));
    // The parent must exist; its own address, when on this subnet, is kept away from containers.
    auto parent = lookup_parent(r.parent);
    if (!parent) return std::unexpected(netlib::with_context(parent.error(), "-o parent"));
    std::vector<ip::Addr> taken;
    if (parent->address && r.subnet->contains(parent->address->addr))
        taken.push_back(parent->address->addr);
    json plugin{{"type", r.driver}, {"master", parent->name}, {"mode", mode}};
    plugin["capabilities"] =
        r.driver == "macvlan" ? json{{"ips", true}, {"mac", true}} : json{{"ips", true}};
    plugin["ipam"] = ipam_for(r, *r.subnet, NETLIB_TRY(range_set(r, *r.subnet, taken)));
    return conflist(r.name, json::array({std::move(plugin)}));
}

}  // namespace

Expected<CreateRequest> parse_create_args(std::span<const std::string_view> args) {
    auto parsed = NETLIB_TRY(cli::parse_args(args, kCreateOptions));
    CreateRequest r;
    for (const auto& [key, value] : parsed.options) {
        if (key == "help")
            r.help = true;
        else if (key == "internal")
            r.internal = true;
        else if (key == "driver")
            r.driver = value;
        else if (key == "subnet")
            r.subnet = NETLIB_TRY(parse_cidr(key, value));
        else if (key == "ip-range")
            r.ip_range = NETLIB_TRY(parse_cidr(key, value));
        else if (key == "opt")
            NETLIB_TRYV(apply_opt(r, value));
        else if (key == "gateway") {
            r.gateway = ip::Addr::parse(value);
            if (!r.gateway)
                return fail(Code::InvalidConfig, "--gateway " + value + ": not an IP address");
        }
    }
    if (r.help) return r;
    if (r.driver != "bridge" && r.driver != "macvlan" && r.driver != "ipvlan")
        return fail(Code::InvalidConfig,
                    "unknown driver \"" + r.driver + "\" (bridge, macvlan or ipvlan)");
    if (parsed.positional.size() != 1)
        return fail(Code::InvalidConfig, "create takes exactly one network NAME");
    if ((r.gateway || r.ip_range) && !r.subnet)
        return fail(Code::InvalidConfig, "--gateway and --ip-range need --subnet");
    r.name = parsed.positional.front();
    return r;
}

std::optional<ip::Net> pick_free_subnet(std::span<const ip::Net> used) {
    for (std::uint32_t n = 0; n < 256; ++n) {
        ip::Net candidate{ip::Addr::v4((10u << 24) | (90u << 16) | (n << 8)), 24};
        if (std::ranges::none_of(used, [&](const ip::Net& u) { return u.overlaps(candidate); }))
            return candidate;
    }
    return std::nullopt;
}

std::string bridge_name_for(std::string_view network) {
    return "nr-" + std::string(network.substr(0, 10));
}

Expected<json> plan_network(const CreateRequest& r, const Catalog& existing,
                            const ParentLookup& lookup_parent) {
    NETLIB_TRYV(check_name(r, existing));
    if (r.driver == "bridge") return bridge_network(r, existing);
    return sublink_network(r, existing, lookup_parent);
}

}  // namespace netrun::net
