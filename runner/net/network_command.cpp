#include "net/network_command.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "cli/args.hpp"
#include "net/net_defaults.hpp"
#include "net/network_catalog.hpp"
#include "net/network_create.hpp"
#include "net/sublink_network.hpp"
#include "netlib/sys/files.hpp"

#ifndef NETRUN_SOURCE_CONF_DIR
#define NETRUN_SOURCE_CONF_DIR ""
#endif

namespace netrun::net {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kUsage = R"(usage: netrun network ls [-q]                 list networks
       netrun network inspect NAME...          print networks' configuration as JSON
       netrun network create [options] NAME    write a new network config
       netrun network rm NAME...               remove networks created with `network create`

Networks are the CNI conflists of the config dirs (the first dir holding a name wins), plus
the built-in modes bridge (netrun's default network "netrun"), host and none. create and rm
work in the user's config dir: $NETRUN_CNI_CONF_DIR, else /etc/cni/net.d.
)";

constexpr std::string_view kCreateUsage = R"(usage: netrun network create [options] NAME

  -d, --driver D      bridge (default), macvlan or ipvlan
  --subnet CIDR       the network's subnet (bridge default: the first free 10.90.N.0/24;
                      required for macvlan/ipvlan: the parent's LAN)
  --gateway IP        gateway on the subnet (default: its first address)
  --ip-range CIDR     hand out container addresses from this part of the subnet only
  -o parent=IF        macvlan/ipvlan parent interface (default: the default route's)
  -o mode=M           macvlan bridge|private|vepa|passthru, ipvlan l2|l3|l3s
  --internal          no masquerading and no default route (bridge: host-only network)

Writes <config dir>/NAME.conflist (cniVersion 1.1.0) and prints NAME.
)";

constexpr cli::OptionSpec kLsOptions[] = {{"quiet", 'q', false}, {"help", 'h', false}};
constexpr cli::OptionSpec kHelpOnly[] = {{"help", 'h', false}};

int usage_error(std::string_view verb, const std::string& msg) {
    std::cerr << "netrun network" << (verb.empty() ? "" : " ") << verb << ": " << msg
              << "\n(see netrun network " << verb << (verb.empty() ? "" : " ") << "--help)\n";
    return 2;
}

std::vector<std::string> conf_dirs() {
    return default_conf_dirs(executable_dir(), NETRUN_SOURCE_CONF_DIR);
}

Catalog catalog() {
    auto dirs = conf_dirs();
    Catalog c = load_catalog(dirs);
    for (const auto& s : c.skipped) std::cerr << "netrun network: skipped " << s << "\n";
    return c;
}

std::string subnets_text(const NetworkEntry& n) {
    std::string out;
    for (const auto& s : n.subnets) out += (out.empty() ? "" : ",") + s.str();
    return out;
}

int run_ls(std::span<const std::string_view> args) {
    auto parsed = cli::parse_args(args, kLsOptions);
    if (!parsed) return usage_error("ls", parsed.error().msg);
    bool quiet = false;
    for (const auto& [k, v] : parsed->options) {
        if (k == "help") {
            std::cout << "usage: netrun network ls [-q]\n  -q, --quiet   names only\n";
            return 0;
        }
        quiet = quiet || k == "quiet";
    }
    if (!parsed->positional.empty()) return usage_error("ls", "ls takes no arguments");
    Catalog c = catalog();
    if (quiet) {
        for (const auto& n : c.networks) std::cout << n.name << "\n";
        return 0;
    }
    std::vector<std::array<std::string, 4>> rows{{"NAME", "DRIVER", "SUBNET", "SOURCE"}};
    for (const auto& n : c.networks)
        rows.push_back(
            {n.name, n.driver, subnets_text(n), n.source.empty() ? "(built-in)" : n.source});
    std::array<std::size_t, 3> width{};
    for (const auto& r : rows)
        for (std::size_t i = 0; i < width.size(); ++i) width[i] = std::max(width[i], r[i].size());
    for (const auto& r : rows) {
        for (std::size_t i = 0; i < width.size(); ++i)
            std::cout << r[i] << std::string(width[i] - r[i].size() + 3, ' ');
        std::cout << r[3] << "\n";
    }
    return 0;
}

json inspect_json(const NetworkEntry& n) {
    json subnets = json::array();
    for (const auto& s : n.subnets) subnets.push_back(s.str());
    json config = nullptr;
    if (n.config) {
        config = json::parse(n.config->bytes, nullptr, false);
        // Plugins from <dir>/<name>/*.conf are part of the network but not of the file.
        if (config.is_object()) config["plugins"] = n.config->plugins;
    }
    return json{{"Name", n.name},
                {"Driver", n.driver},
                {"Subnets", std::move(subnets)},
                {"Source", n.source},
                {"Config", std::move(config)}};
}

int run_inspect(std::span<const std::string_view> args) {
    auto parsed = cli::parse_args(args, kHelpOnly);
    if (!parsed) return usage_error("inspect", parsed.error().msg);
    if (!parsed->options.empty()) {
        std::cout << "usage: netrun network inspect NAME...\n";
        return 0;
    }
    if (parsed->positional.empty())
        return usage_error("inspect", "inspect needs at least one NAME");
    Catalog c = catalog();
    json out = json::array();
    int status = 0;
    for (const auto& name : parsed->positional) {
        if (const auto* n = find_network(c, name)) {
            out.push_back(inspect_json(*n));
        } else {
            std::cerr << "Error: No such network: " << name << "\n";
            status = 1;
        }
    }
    std::cout << out.dump(4) << "\n";
    return status;
}

// The lock file is hidden and has no config extension: the conflist scans never read it.
netlib::Expected<netlib::sys::FileLock> lock_user_dir(const std::string& dir) {
    NETLIB_TRYV(netlib::sys::mkdir_p(dir));
    return netlib::sys::FileLock::acquire(dir + "/.netrun-network.lock");
}

int run_create(std::span<const std::string_view> args) {
    auto r = parse_create_args(args);
    if (!r) return usage_error("create", r.error().msg);
    if (r->help) {
        std::cout << kCreateUsage;
        return 0;
    }
    const std::string dir = user_conf_dir();
    const std::string path = dir + "/" + r->name + ".conflist";
    // Two creates at once must not both pass the name and subnet checks: they run under a
    // lock, on the networks as they are once it is held.
    auto lock = lock_user_dir(dir);
    if (!lock) {
        std::cerr << "Error response: " << lock.error().msg << "\n";
        return 1;
    }
    Catalog c = catalog();
    auto conf = plan_network(*r, c, find_parent_link);
    if (!conf) {
        std::cerr << "Error response: " << conf.error().msg << "\n";
        return 1;
    }
    std::error_code ec;
    if (fs::exists(path, ec)) {
        std::cerr << "Error response: " << path << " already exists\n";
        return 1;
    }
    auto written = netlib::sys::write_file_atomic(path, conf->dump(2) + "\n");
    if (!written) {
        std::cerr << "Error response: write " << path << ": " << written.error().msg << "\n";
        return 1;
    }
    std::cout << r->name << "\n";
    return 0;
}

// Where a removable network must live: directly in the user's config dir.
bool in_user_dir(const std::string& source) {
    std::error_code ec;
    auto dir = fs::weakly_canonical(user_conf_dir(), ec);
    auto parent = fs::weakly_canonical(fs::path(source).parent_path(), ec);
    return !ec && dir == parent;
}

int remove_one(const NetworkCommandHooks& hooks, const Catalog& c, const std::string& name) {
    const auto* n = find_network(c, name);
    if (!n) {
        std::cerr << "Error: No such network: " << name << "\n";
        return 1;
    }
    if (n->name == "bridge" || n->name == "host" || n->name == "none") {
        std::cerr << "Error response: " << name
                  << " is a pre-defined network and cannot be removed\n";
        return 1;
    }
    if (!in_user_dir(n->source)) {
        std::cerr << "Error response: network " << name << " is defined in " << n->source
                  << ", outside the user's config dir " << user_conf_dir() << "; remove it there\n";
        return 1;
    }
    if (hooks.in_use && hooks.in_use(n->name)) {
        std::cerr << "Error response: network " << name
                  << " has active endpoints (containers attached)\n";
        return 1;
    }
    if (::unlink(n->source.c_str()) != 0 && errno != ENOENT) {
        std::cerr << "Error response: remove " << n->source << ": " << std::strerror(errno) << "\n";
        return 1;
    }
    std::cout << name << "\n";
    return 0;
}

int run_rm(const NetworkCommandHooks& hooks, std::span<const std::string_view> args) {
    auto parsed = cli::parse_args(args, kHelpOnly);
    if (!parsed) return usage_error("rm", parsed.error().msg);
    if (!parsed->options.empty()) {
        std::cout << "usage: netrun network rm NAME...\n";
        return 0;
    }
    if (parsed->positional.empty()) return usage_error("rm", "rm needs at least one NAME");
    Catalog c = catalog();
    int status = 0;
    for (const auto& name : parsed->positional)
        status = std::max(status, remove_one(hooks, c, name));
    return status;
}

}  // namespace

int network_main_with(const NetworkCommandHooks& hooks, std::span<const std::string_view> args) {
    if (args.empty()) {
        std::cerr << kUsage;
        return 2;
    }
    if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        std::cout << kUsage;
        return 0;
    }
    const std::string_view verb = args[0];
    auto rest = args.subspan(1);
    if (verb == "ls" || verb == "list") return run_ls(rest);
    if (verb == "inspect") return run_inspect(rest);
    if (verb == "create") return run_create(rest);
    if (verb == "rm" || verb == "remove") return run_rm(hooks, rest);
    return usage_error("",
                       "unknown command \"" + std::string(verb) + "\" (ls, inspect, create, rm)");
}

int network_main(std::span<const std::string_view> args) {
    return network_main_with(NetworkCommandHooks{.in_use = [](std::string_view) { return false; }},
                             args);
}

}  // namespace netrun::net
