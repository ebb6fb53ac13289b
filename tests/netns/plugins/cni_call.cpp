#include "cni_call.hpp"

#include <dirent.h>

#include <cstdlib>
#include <cstring>
#include <sstream>

#include <gtest/gtest.h>

#include "netlib/sys/spawn.hpp"

extern char** environ;

namespace testcni {

void sh(const std::string& cmd) {
    auto r = netlib::sys::spawn_capture({"/bin/sh", "-c", cmd}, {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}, "");
    if (!r || r->exit_status != 0) ADD_FAILURE() << cmd << ": " << (r ? r->err : r.error().msg);
}

std::string plugin_dir() {
    const char* d = std::getenv("NETRUN_PLUGIN_DIR");
    return d ? d : "build/bin";
}

std::string plugin_path(const std::string& name) { return name.starts_with("/") ? name : plugin_dir() + "/" + name; }

namespace {
std::vector<std::string> build_env(const Call& c) {
    std::map<std::string, std::optional<std::string>> m{
        {"CNI_COMMAND", c.command},    {"CNI_CONTAINERID", c.container_id},
        {"CNI_NETNS", c.netns},        {"CNI_IFNAME", c.ifname},
        {"CNI_ARGS", c.args},          {"CNI_PATH", c.path.empty() ? plugin_dir() : c.path},
        {"PATH", std::string("/usr/sbin:/usr/bin:/sbin:/bin")}};
    for (const auto& [k, v] : c.env_override) m[k] = v;
    std::vector<std::string> env;
    for (const auto& [k, v] : m)
        if (v) env.push_back(k + "=" + *v);
    return env;
}

std::string run_text(const std::vector<std::string>& argv) {
    auto r = netlib::sys::spawn_capture(argv, {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}, "");
    return r ? r->out : std::string{};
}
}  // namespace

Reply run(const Call& c, const nlohmann::json& config) {
    Reply out;
    auto r = netlib::sys::spawn_capture({plugin_path(c.plugin)}, build_env(c), config.dump());
    if (!r) {
        out.err = r.error().msg;
        return out;
    }
    out.exit_status = r->exit_status;
    out.out = r->out;
    out.err = r->err;
    out.json = nlohmann::json::parse(r->out, nullptr, false);
    if (out.json.is_discarded()) out.json = nullptr;
    return out;
}

// iproute2 takes netns names (looked up under /run/netns), not paths.
std::string ns_name(const std::string& netns) {
    auto slash = netns.rfind('/');
    return slash == std::string::npos ? netns : netns.substr(slash + 1);
}

nlohmann::json ip_json(const std::string& netns, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"/usr/sbin/ip", "-j"};
    if (!netns.empty()) argv.insert(argv.end(), {"-n", ns_name(netns)});
    argv.insert(argv.end(), args.begin(), args.end());
    auto j = nlohmann::json::parse(run_text(argv), nullptr, false);
    return j.is_discarded() ? nlohmann::json::array() : j;
}

std::vector<std::string> link_names(const std::string& netns, const std::string& type) {
    std::vector<std::string> args = {"link", "show"};
    if (!type.empty()) args.insert(args.end(), {"type", type});
    std::vector<std::string> out;
    for (const auto& l : ip_json(netns, args)) out.push_back(l.value("ifname", ""));
    return out;
}

std::vector<std::string> addrs(const std::string& netns, const std::string& dev, int family) {
    std::vector<std::string> out;
    for (const auto& l : ip_json(netns, {family == 6 ? "-6" : "-4", "addr", "show", "dev", dev}))
        for (const auto& a : l.value("addr_info", nlohmann::json::array()))
            if (a.value("scope", "") != "link")
                out.push_back(a.value("local", "") + "/" + std::to_string(a.value("prefixlen", 0)));
    return out;
}

// Without iptables-save's "# Generated/Completed on <time>" lines, so snapshots compare.
std::string iptables_nat() {
    std::istringstream in(run_text({"/usr/sbin/iptables-save", "-t", "nat"}));
    std::string out, line;
    while (std::getline(in, line))
        if (!line.starts_with("#")) out += line + "\n";
    return out;
}

bool ping(const std::string& netns, const std::string& addr) {
    auto r = netlib::sys::spawn_capture(
        {"/usr/sbin/ip", "netns", "exec", ns_name(netns), "ping", "-c1", "-W2", addr},
        {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}, "");
    return r && r->exit_status == 0;
}

std::vector<std::string> leases(const std::string& dir) {
    std::vector<std::string> out;
    DIR* d = ::opendir(dir.c_str());
    if (!d) return out;
    while (auto* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n == "." || n == ".." || n == "lock" || n.starts_with("last_reserved_ip")) continue;
        // Only address-named files are leases; anything else is bookkeeping.
        if (n.find_first_not_of("0123456789abcdef.:") == std::string::npos) out.push_back(n);
    }
    ::closedir(d);
    return out;
}

}  // namespace testcni
