#include "net/net_options.hpp"

#include <algorithm>
#include <array>

#include "cli/args.hpp"
#include "net/net_defaults.hpp"
#include "net/port_spec.hpp"

namespace netrun::net {

using netlib::Code;
using netlib::fail;
using nlohmann::json;

namespace {

constexpr std::array<cli::OptionSpec, 13> kSpecs = {{
    {"id", 0, true},          {"ifname", 0, true},     {"args", 0, true},
    {"publish", 'p', true},   {"ip", 0, true},         {"mac", 0, true},
    {"cap", 0, true},         {"cache-dir", 0, true},  {"conf-dir", 0, true},
    {"cni-path", 0, true},    {"valid", 0, true},      {"all-invalid", 0, false},
    {"help", 'h', false},
}};

constexpr std::array<std::string_view, 7> kRuntimeOptions = {"id", "ifname", "args", "publish", "ip", "mac", "cap"};
constexpr std::array<std::string_view, 2> kGcOptions = {"valid", "all-invalid"};

netlib::Expected<Verb> parse_verb(std::string_view v) {
    if (v == "add") return Verb::Add;
    if (v == "check") return Verb::Check;
    if (v == "del") return Verb::Del;
    if (v == "status") return Verb::Status;
    if (v == "gc") return Verb::Gc;
    return fail(Code::InvalidConfig, "unknown verb \"" + std::string(v) + "\" (want add, check, del, status or gc)");
}

// Refuse options the verb would silently ignore.
netlib::Expected<> check_applicable(Verb verb, std::string_view opt) {
    bool runtime = std::ranges::find(kRuntimeOptions, opt) != kRuntimeOptions.end();
    bool gc = std::ranges::find(kGcOptions, opt) != kGcOptions.end();
    bool attach_verb = verb == Verb::Add || verb == Verb::Check || verb == Verb::Del;
    if ((runtime && !attach_verb) || (gc && verb != Verb::Gc))
        return fail(Code::InvalidConfig, "option --" + std::string(opt) + " is not used by \"" +
                                             std::string(verb_name(verb)) + "\"");
    return {};
}

netlib::Expected<> set_capability(NetOptions& o, const std::string& key, json value) {
    if (o.capability_args.contains(key))
        return fail(Code::InvalidConfig, "capability \"" + key + "\" given twice (by --cap and -p/--ip/--mac?)");
    o.capability_args[key] = std::move(value);
    return {};
}

// Applies one option; the list-valued capabilities are collected by the caller.
netlib::Expected<> apply(NetOptions& o, const std::string& name, const std::string& value, json& ports, json& ips) {
    if (name == "id") {
        o.container_id = value;
    } else if (name == "ifname") {
        o.ifname = value;
    } else if (name == "args") {
        for (auto& kv : NETLIB_TRY(parse_args_option(value))) o.args.push_back(std::move(kv));
    } else if (name == "publish") {
        ports.push_back(NETLIB_TRY(parse_port_mapping(value)));
    } else if (name == "ip") {
        ips.push_back(NETLIB_TRY(parse_ip_option(value)));
    } else if (name == "mac") {
        auto mac = NETLIB_TRY(parse_mac_option(value));
        return set_capability(o, "mac", std::move(mac));
    } else if (name == "cap") {
        auto [k, v] = NETLIB_TRY(parse_capability_option(value));
        return set_capability(o, k, std::move(v));
    } else if (name == "cache-dir") {
        o.cache_dir = value;
    } else if (name == "conf-dir") {
        o.conf_dirs.push_back(value);
    } else if (name == "cni-path") {
        for (auto& d : split_path_list(value)) o.cni_path.push_back(std::move(d));
    } else if (name == "valid") {
        o.valid.push_back(NETLIB_TRY(parse_attachment(value)));
    } else if (name == "all-invalid") {
        o.all_invalid = true;
    }
    return {};
}

netlib::Expected<> check_positionals(NetOptions& o, const std::vector<std::string>& pos) {
    const bool takes_netns = o.verb == Verb::Add || o.verb == Verb::Check || o.verb == Verb::Del;
    const std::size_t max = takes_netns ? 3 : 2;
    const std::size_t min = o.verb == Verb::Add || o.verb == Verb::Check ? 3 : 2;
    if (pos.size() < min || pos.size() > max)
        return fail(Code::InvalidConfig, "\"" + std::string(verb_name(o.verb)) + "\" wants " +
                                             (takes_netns ? (min == 3 ? "NETWORK NETNS" : "NETWORK [NETNS]") : "NETWORK"));
    o.network = pos[1];
    if (pos.size() > 2) o.netns = pos[2];
    if (o.verb == Verb::Del && o.netns.empty() && o.container_id.empty())
        return fail(Code::InvalidConfig, "\"del\" without NETNS needs --id");
    if (o.verb == Verb::Gc && o.all_invalid && !o.valid.empty())
        return fail(Code::InvalidConfig, "--valid and --all-invalid exclude each other");
    return {};
}

}  // namespace

netlib::Expected<NetOptions> parse_net_options(std::span<const std::string_view> args) {
    auto parsed = NETLIB_TRY(cli::parse_args(args, kSpecs));
    NetOptions o;
    if (std::ranges::any_of(parsed.options, [](const auto& p) { return p.first == "help"; })) {
        o.help = true;
        return o;
    }
    if (parsed.positional.empty()) return fail(Code::InvalidConfig, "missing verb (add, check, del, status or gc)");
    o.verb = NETLIB_TRY(parse_verb(parsed.positional[0]));
    json ports = json::array(), ips = json::array();
    for (const auto& [name, value] : parsed.options) {
        NETLIB_TRYV(check_applicable(o.verb, name));
        NETLIB_TRYV(apply(o, name, value, ports, ips));
        o.runtime_args_given |= name == "args" || name == "publish" || name == "ip" || name == "mac" || name == "cap";
    }
    if (!ports.empty()) NETLIB_TRYV(set_capability(o, "portMappings", std::move(ports)));
    if (!ips.empty()) NETLIB_TRYV(set_capability(o, "ips", std::move(ips)));
    // Runtimes (containerd, CRI-O, podman) always send IgnoreUnknown=1 so that plugins do not
    // refuse keys meant for others; do the same unless the user set it.
    if (!o.args.empty() && std::ranges::none_of(o.args, [](const auto& kv) { return kv.first == "IgnoreUnknown"; }))
        o.args.insert(o.args.begin(), {"IgnoreUnknown", "1"});
    NETLIB_TRYV(check_positionals(o, parsed.positional));
    return o;
}

std::string_view verb_name(Verb v) {
    constexpr std::array<std::string_view, 5> kNames = {"add", "check", "del", "status", "gc"};
    return kNames[static_cast<std::size_t>(v)];
}

std::string_view usage_text() {
    return R"(usage: netrun net add    NETWORK NETNS [options]   attach NETNS, print the result JSON
       netrun net check  NETWORK NETNS [options]   verify an attachment (CNI CHECK)
       netrun net del    NETWORK [NETNS] [options] detach (CNI DEL); NETNS optional with --id
       netrun net status NETWORK [options]         is the network ready for ADD (CNI STATUS)
       netrun net gc     NETWORK [options]         clean up stale attachments (CNI GC)

NETWORK is a network name (looked up in the config dirs) or a path to a .conflist/.conf file.

attachment options (add, check, del):
  --id ID               container ID (default: NETNS file name; /proc/PID/ns/net -> pid-PID)
  --ifname IF           interface name in the container (default eth0)
  --args K=V;K=V        CNI_ARGS (IgnoreUnknown=1 is added unless given)
  -p, --publish [hostIP:]HOST:CTR[/tcp|udp|sctp]
                        publish a port (portMappings capability); repeatable
  --ip ADDR[/PREFIX]    request an address (ips capability); repeatable
  --mac MAC             request a MAC address (mac capability)
  --cap NAME=JSON       any other capability, e.g. --cap 'bandwidth={"ingressRate":1000000}'
  del without any of --args/-p/--ip/--mac/--cap replays those of the cached ADD, and takes
  NETNS from the cache when it is not given.

gc options:
  --valid ID:IFNAME     an attachment to keep; repeatable. Cached attachments of NETWORK not
                        listed are deleted, and plugins release what they hold for others.
  --all-invalid         keep nothing: delete every cached attachment of NETWORK.
  with neither, every cached attachment of NETWORK is kept: only plugin state that has no
  cache entry (e.g. leaked by a crashed ADD) is released.

common options:
  --cache-dir DIR       result cache (default /var/lib/cni, shared with libcni tools)
  --conf-dir DIR        network config dir; repeatable (default /etc/cni/net.d, then
                        netrun's installed conf/)
  --cni-path DIRS       ':'-separated plugin dirs (default $CNI_PATH, else netrun's own
                        plugins, then /opt/cni/bin:/usr/lib/cni)
  -h, --help            this text

A failed add is followed by a del of the same attachment, so nothing is left behind.
Errors: one line on stderr, exit status 1 (2 for usage errors).
)";
}

}  // namespace netrun::net
