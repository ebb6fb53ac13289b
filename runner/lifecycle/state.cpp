#include "state.hpp"

#include "network_ops.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>

#include "sandbox/spec.hpp"

namespace netrun::lifecycle {

using netlib::Code;
using netlib::Expected;
using netlib::fail;
using nlohmann::json;

json to_json(const ContainerState& s) {
    return {{"id", s.id},           {"name", s.name},         {"image", s.image},       {"imageId", s.image_id},
            {"argv", s.argv},       {"env", s.env},           {"workdir", s.workdir},   {"user", s.user},
            {"hostname", s.hostname}, {"net", s.net},         {"status", s.status},     {"pid", s.pid},
            {"startTime", s.start_time}, {"monitorPid", s.monitor_pid}, {"cgroup", s.cgroup}, {"rootfs", s.rootfs},
            {"netns", s.netns},     {"exitCode", s.exit_code}, {"oomKilled", s.oom_killed}, {"autoRemove", s.auto_remove},
            {"detached", s.detached}, {"stopSignal", s.stop_signal}, {"stopTimeout", s.stop_timeout},
            {"created", s.created}, {"finished", s.finished}, {"config", s.config},
            {"network", s.network}};
}

ContainerState state_from_json(const json& j) {
    ContainerState s;
    s.id = j.value("id", "");
    s.name = j.value("name", "");
    s.image = j.value("image", "");
    s.image_id = j.value("imageId", "");
    s.argv = j.value("argv", std::vector<std::string>{});
    s.env = j.value("env", std::vector<std::string>{});
    s.workdir = j.value("workdir", "");
    s.user = j.value("user", "");
    s.hostname = j.value("hostname", "");
    s.net = j.value("net", "none");
    s.status = j.value("status", "created");
    s.pid = j.value("pid", 0);
    s.start_time = j.value("startTime", 0ULL);
    s.monitor_pid = j.value("monitorPid", 0);
    s.cgroup = j.value("cgroup", "");
    s.rootfs = j.value("rootfs", "");
    s.netns = j.value("netns", "");
    s.exit_code = j.value("exitCode", -1);
    s.oom_killed = j.value("oomKilled", false);
    s.auto_remove = j.value("autoRemove", false);
    s.detached = j.value("detached", false);
    s.stop_signal = j.value("stopSignal", 15);
    s.stop_timeout = j.value("stopTimeout", 10);
    s.created = j.value("created", "");
    s.finished = j.value("finished", "");
    if (auto n = j.find("network"); n != j.end()) s.network = *n;
    s.config = j.value("config", json::object());
    return s;
}

std::string StateStore::default_root() {
    const char* e = std::getenv("NETRUN_STATE");
    return e && *e ? e : "/run/netrun";
}

StateStore::StateStore(std::string root) : root_(std::move(root)) {}

Expected<netlib::sys::FileLock> StateStore::lock() {
    NETLIB_TRYV(netlib::sys::mkdir_p(root_ + "/containers", 0700));
    NETLIB_TRYV(netlib::sys::mkdir_p(root_ + "/names", 0700));
    return netlib::sys::FileLock::acquire(root_ + "/lock");
}

Expected<> StateStore::create(ContainerState& s) {
    auto l = NETLIB_TRY(lock());
    if (s.name.empty()) s.name = s.id.substr(0, 12);
    std::string name_file = root_ + "/names/" + s.name;
    int fd = ::open(name_file.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST) {
            std::ifstream in(name_file);
            std::string owner;
            in >> owner;
            return fail(Code::Conflict, "the container name \"" + s.name + "\" is already in use by container \"" +
                                            owner.substr(0, 12) + "\"; remove that container or choose another name");
        }
        return netlib::fail_errno(Code::Io, "create " + name_file, errno);
    }
    (void)!::write(fd, s.id.data(), s.id.size());
    ::close(fd);
    NETLIB_TRYV(netlib::sys::mkdir_p(dir_of(s.id), 0700));
    return save(s);
}

Expected<> StateStore::save(const ContainerState& s) {
    return netlib::sys::write_file_atomic(dir_of(s.id) + "/state.json", to_json(s).dump(2) + "\n", 0600);
}

namespace {

Expected<ContainerState> load(const std::string& file) {
    std::ifstream in(file);
    if (!in) return fail(Code::Io, "cannot read " + file);
    std::stringstream ss;
    ss << in.rdbuf();
    auto j = json::parse(ss.str(), nullptr, false);
    if (!j.is_object()) return fail(Code::Io, "corrupt state " + file);
    return state_from_json(j);
}

}  // namespace

Expected<std::vector<ContainerState>> StateStore::list() {
    std::vector<ContainerState> out;
    DIR* d = ::opendir((root_ + "/containers").c_str());
    if (!d) return out;
    while (auto* e = ::readdir(d)) {
        if (e->d_name[0] == '.') continue;
        if (auto s = load(dir_of(e->d_name) + "/state.json")) out.push_back(std::move(*s));
    }
    ::closedir(d);
    return out;
}

Expected<ContainerState> StateStore::find(const std::string& ref) {
    std::ifstream in(root_ + "/names/" + ref);
    std::string id;
    if (in >> id) return load(dir_of(id) + "/state.json");
    auto all = NETLIB_TRY(list());
    const ContainerState* hit = nullptr;
    for (const auto& s : all) {
        if (ref.size() >= 3 && s.id.starts_with(ref)) {
            if (hit) return fail(Code::InvalidConfig, "\"" + ref + "\" matches several containers; give more of the id");
            hit = &s;
        }
    }
    if (!hit) return fail(Code::UnknownContainer, "no such container: " + ref);
    return *hit;
}

Expected<> StateStore::remove(const ContainerState& s) {
    auto l = NETLIB_TRY(lock());
    std::string name_file = root_ + "/names/" + s.name;
    std::ifstream in(name_file);
    std::string owner;
    if (in >> owner && owner == s.id) ::unlink(name_file.c_str());
    for (const char* f : {"/state.json", "/container.log", "/container.log.1", "/hosts", "/hostname", "/resolv.conf",
                          "/network.lock"})
        ::unlink((dir_of(s.id) + f).c_str());
    if (::rmdir(dir_of(s.id).c_str()) != 0 && errno != ENOENT)
        return netlib::fail_errno(Code::Io, "remove " + dir_of(s.id), errno);
    return {};
}

unsigned long long process_start_time(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    std::getline(in, stat);
    auto rp = stat.rfind(')');
    if (rp == std::string::npos) return 0;
    std::istringstream rest(stat.substr(rp + 2));
    std::string field;
    for (int i = 3; i <= 22 && rest >> field; ++i)
        if (i == 22) return std::stoull(field);
    return 0;
}

bool process_alive(pid_t pid, unsigned long long start_time) {
    if (pid <= 0 || ::kill(pid, 0) != 0) return false;
    return start_time == 0 || process_start_time(pid) == start_time;
}

ContainerState reconcile(StateStore& store, ContainerState s) {
    if (s.status != "running" || process_alive(s.pid, s.start_time)) return s;
    // Its monitor may just be writing the real exit status: give it a moment.
    for (int i = 0; i < 20 && process_alive(s.monitor_pid, 0); ++i) {
        ::usleep(25000);
        if (auto fresh = store.find(s.id); fresh && fresh->status != "running") return *fresh;
    }
    s.status = "exited";
    if (s.exit_code < 0) s.exit_code = 255;
    s.finished = now_rfc3339();
    (void)sandbox::remove_cgroup(s.cgroup);
    (void)store.save(s);
    (void)release_network(store, s);  // its monitor died before it could
    return s;
}

std::string now_rfc3339() {
    std::time_t t = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return buf;
}

std::string new_container_id() {
    unsigned char b[32];
    std::ifstream r("/dev/urandom", std::ios::binary);
    r.read(reinterpret_cast<char*>(b), sizeof b);
    static const char* hex = "0123456789abcdef";
    std::string id;
    for (unsigned char c : b) id += hex[c >> 4], id += hex[c & 15];
    return id;
}

}  // namespace netrun::lifecycle
