#pragma once
// Drive a plugin executable the way a runtime does: CNI_* environment + config on stdin,
// and look at kernel state with independent tools (ip -j, iptables-save), not our netlink.
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace testcni {

struct Call {
    std::string plugin;  // executable name in NETRUN_PLUGIN_DIR, or an absolute path
    std::string command = "ADD";
    std::string container_id = "ctr";
    std::string netns;
    std::string ifname = "eth0";
    std::string args;
    std::string path;  // CNI_PATH; default: NETRUN_PLUGIN_DIR
    std::map<std::string, std::optional<std::string>> env_override;  // nullopt = unset
};

struct Reply {
    int exit_status = -1;
    std::string out, err;
    nlohmann::json json;  // stdout parsed (null if empty or not JSON)
    bool ok() const { return exit_status == 0; }
    int code() const { return json.is_object() ? json.value("code", -1) : -1; }
    std::string msg() const { return json.is_object() ? json.value("msg", std::string{}) : out; }
};

// Run a shell command; a failure is a test failure (gtest ADD_FAILURE).
void sh(const std::string& cmd);

std::string plugin_dir();
std::string plugin_path(const std::string& name);
Reply run(const Call& c, const nlohmann::json& config);
// Pid-returning variant for crash injection: started, not waited for.
std::string env_string(const Call& c);

// Kernel state, read with iproute2's JSON output inside a netns ("" = our own).
nlohmann::json ip_json(const std::string& netns, const std::vector<std::string>& args);
std::vector<std::string> link_names(const std::string& netns, const std::string& type = "");
std::vector<std::string> addrs(const std::string& netns, const std::string& dev, int family = 4);
std::string iptables_nat();  // iptables-save -t nat
bool ping(const std::string& netns, const std::string& addr);
// Lease files in a host-local data dir (without lock / last_reserved_ip.*).
std::vector<std::string> leases(const std::string& dir);

}  // namespace testcni
