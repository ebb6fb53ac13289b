#pragma once
// Per-container state under /run/netrun (NETRUN_STATE overrides): containers/<id>/state.json
// written atomically, names/<name> -> id (created O_EXCL under the store lock, so a name is
// taken once), and the container's log file. State outlives the CLI; `reconcile` notices
// containers that died while nobody was watching.
#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "netlib/error.hpp"
#include "netlib/sys/files.hpp"

namespace netrun::lifecycle {

struct ContainerState {
    std::string id, name, image, image_id;
    std::vector<std::string> argv, env;
    std::string workdir, user, hostname, net = "none";
    std::string status = "created";  // created, running, exited
    pid_t pid = 0;
    unsigned long long start_time = 0;  // /proc/<pid>/stat field 22: tells a reused pid apart
    pid_t monitor_pid = 0;
    std::string cgroup, rootfs, netns;
    int exit_code = -1;
    bool oom_killed = false;
    bool auto_remove = false, detached = false;
    int stop_signal = 15, stop_timeout = 10;
    std::string created, finished;  // RFC 3339 UTC
    nlohmann::json config;          // the run options, for inspect
    nlohmann::json network;         // net::ContainerNetwork while attached (null: nothing to detach)
};

nlohmann::json to_json(const ContainerState& s);
ContainerState state_from_json(const nlohmann::json& j);

class StateStore {
public:
    explicit StateStore(std::string root = default_root());
    static std::string default_root();  // $NETRUN_STATE or /run/netrun

    // Takes the name (generated from the id when empty) and writes the first state.
    netlib::Expected<> create(ContainerState& s);
    netlib::Expected<> save(const ContainerState& s);
    // By name, full id or unique id prefix.
    netlib::Expected<ContainerState> find(const std::string& ref);
    netlib::Expected<std::vector<ContainerState>> list();
    // Drops the state dir and the name.
    netlib::Expected<> remove(const ContainerState& s);
    std::string dir_of(const std::string& id) const { return root_ + "/containers/" + id; }
    const std::string& root() const { return root_; }
    std::string log_path(const std::string& id) const { return dir_of(id) + "/container.log"; }
    netlib::Expected<netlib::sys::FileLock> lock();

private:
    std::string root_;
};

// A running state whose process is gone (or whose pid now belongs to another process) is
// turned into "exited" (code 255 when unknown), its cgroup removed; saved. Returns the state.
ContainerState reconcile(StateStore& store, ContainerState s);
bool process_alive(pid_t pid, unsigned long long start_time);
unsigned long long process_start_time(pid_t pid);
std::string now_rfc3339();
std::string new_container_id();

}  // namespace netrun::lifecycle
