#include "cgroup.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <fstream>
#include <sstream>
#include <thread>

#include "netlib/sys/files.hpp"

namespace netrun::sandbox {

using netlib::Code;
using netlib::Expected;
using netlib::fail;

namespace {

const char* kRoot = "/sys/fs/cgroup";

bool exists(const std::string& p) { return ::access(p.c_str(), F_OK) == 0; }

std::string read_file(const std::string& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

Expected<> write(const std::string& dir, const std::string& file, const std::string& value) {
    std::string p = dir + "/" + file;
    std::ofstream out(p);
    out << value;
    out.close();
    if (!out) return fail(Code::InvalidConfig, "cannot set " + p + " to " + value + " (rejected by the kernel)");
    return {};
}

// The unified hierarchy to use: pure v2 at /sys/fs/cgroup, or the hybrid one when it has the
// controllers we need; empty when v1 must be used.
std::string v2_root() {
    for (std::string r : {std::string(kRoot), std::string(kRoot) + "/unified"}) {
        auto c = read_file(r + "/cgroup.controllers");
        if (c.find("memory") != std::string::npos && c.find("pids") != std::string::npos) return r;
    }
    return {};
}

bool is_v2(const std::string& dir) { return exists(dir + "/cgroup.controllers"); }

// cpuset children start empty: a v1 cpuset cgroup takes no task until cpus and mems are set.
Expected<> inherit_cpuset(const std::string& dir) {
    std::string parent = dir.substr(0, dir.rfind('/'));
    for (const char* f : {"cpuset.cpus", "cpuset.mems"}) {
        auto cur = read_file(dir + "/" + f);
        if (cur.find_first_not_of(" \n") != std::string::npos) continue;
        auto v = read_file(parent + "/" + f);
        NETLIB_TRYV(write(dir, f, v.empty() ? "0" : v));
    }
    return {};
}

Expected<> apply_v1(const std::string& ctrl, const std::string& dir, const Resources& res) {
    if (ctrl == "memory" && res.memory) {
        NETLIB_TRYV(write(dir, "memory.limit_in_bytes", std::to_string(*res.memory)));
        if (res.memory_swap && exists(dir + "/memory.memsw.limit_in_bytes"))
            NETLIB_TRYV(write(dir, "memory.memsw.limit_in_bytes", std::to_string(*res.memory_swap)));
    }
    if (ctrl == "cpu") {
        if (res.cpus) {
            NETLIB_TRYV(write(dir, "cpu.cfs_period_us", "100000"));
            NETLIB_TRYV(write(dir, "cpu.cfs_quota_us", std::to_string(std::llround(*res.cpus * 100000))));
        }
        if (res.cpu_shares) NETLIB_TRYV(write(dir, "cpu.shares", std::to_string(*res.cpu_shares)));
    }
    if (ctrl == "cpuset") {
        NETLIB_TRYV(inherit_cpuset(dir.substr(0, dir.rfind('/'))));
        NETLIB_TRYV(inherit_cpuset(dir));
        if (!res.cpuset_cpus.empty()) NETLIB_TRYV(write(dir, "cpuset.cpus", res.cpuset_cpus));
    }
    if (ctrl == "pids" && res.pids_limit)
        NETLIB_TRYV(write(dir, "pids.max", *res.pids_limit > 0 ? std::to_string(*res.pids_limit) : "max"));
    return {};
}

Expected<> apply_v2(const std::string& dir, const Resources& res) {
    if (res.memory) {
        NETLIB_TRYV(write(dir, "memory.max", std::to_string(*res.memory)));
        if (res.memory_swap && exists(dir + "/memory.swap.max"))
            NETLIB_TRYV(write(dir, "memory.swap.max",
                              *res.memory_swap < 0 ? "max" : std::to_string(*res.memory_swap - *res.memory)));
    }
    if (res.cpus) NETLIB_TRYV(write(dir, "cpu.max", std::to_string(std::llround(*res.cpus * 100000)) + " 100000"));
    if (res.cpu_shares)  // the v1 -> v2 mapping runc and crun use
        NETLIB_TRYV(write(dir, "cpu.weight", std::to_string(1 + ((*res.cpu_shares - 2) * 9999) / 262142)));
    if (!res.cpuset_cpus.empty()) NETLIB_TRYV(write(dir, "cpuset.cpus", res.cpuset_cpus));
    if (res.pids_limit) NETLIB_TRYV(write(dir, "pids.max", *res.pids_limit > 0 ? std::to_string(*res.pids_limit) : "max"));
    return {};
}

}  // namespace

std::vector<std::string> cgroup_dirs(const std::string& cgroup) {
    std::vector<std::string> out;
    std::stringstream ss(cgroup);
    std::string d;
    while (std::getline(ss, d, ':'))
        if (!d.empty()) out.push_back(d);
    return out;
}

Expected<std::string> create_cgroup(const std::string& id, const Resources& res) {
    std::string joined;
    auto cleanup = [&] { (void)remove_cgroup(joined); };
    if (auto v2 = v2_root(); !v2.empty()) {
        std::string parent = v2 + "/netrun";
        NETLIB_TRYV(netlib::sys::mkdir_p(parent));
        // One controller per write: the kernel refuses a whole list if one is unavailable.
        for (const char* c : {"+memory", "+pids", "+cpu", "+cpuset"}) {
            (void)write(v2, "cgroup.subtree_control", c);
            (void)write(parent, "cgroup.subtree_control", c);
        }
        joined = parent + "/" + id;
        if (::mkdir(joined.c_str(), 0755) != 0) return netlib::fail_errno(Code::Kernel, "create cgroup " + joined, errno);
        if (auto r = apply_v2(joined, res); !r) return cleanup(), std::unexpected(r.error());
        return joined;
    }
    for (const char* ctrl : {"memory", "cpu", "cpuacct", "cpuset", "pids"}) {
        std::string base = std::string(kRoot) + "/" + ctrl;
        if (!exists(base + "/cgroup.procs")) continue;
        std::string dir = base + "/netrun/" + id;
        if (auto r = netlib::sys::mkdir_p(dir); !r) return cleanup(), std::unexpected(r.error());
        joined += (joined.empty() ? "" : ":") + dir;
        if (auto r = apply_v1(ctrl, dir, res); !r) return cleanup(), std::unexpected(r.error());
    }
    if (joined.empty()) return fail(Code::Kernel, "no usable cgroup hierarchy under /sys/fs/cgroup");
    return joined;
}

Expected<> join_cgroup(const std::string& cgroup, pid_t pid) {
    for (const auto& d : cgroup_dirs(cgroup)) NETLIB_TRYV(write(d, "cgroup.procs", std::to_string(pid)));
    return {};
}

long oom_kills(const std::string& cgroup) {
    for (const auto& d : cgroup_dirs(cgroup)) {
        for (const char* f : {"memory.events", "memory.oom_control"}) {
            auto text = read_file(d + "/" + f);
            auto p = text.find("oom_kill ");
            if (p != std::string::npos) return std::atol(text.c_str() + p + 9);
        }
    }
    return 0;
}

Expected<Usage> usage(const std::string& cgroup) {
    Usage u;
    for (const auto& d : cgroup_dirs(cgroup)) {
        if (is_v2(d)) {
            if (auto m = read_file(d + "/memory.current"); !m.empty()) u.memory_bytes = std::atoll(m.c_str());
            auto st = read_file(d + "/cpu.stat");
            if (auto p = st.find("usage_usec "); p != std::string::npos) u.cpu_seconds = std::atof(st.c_str() + p + 11) / 1e6;
        }
        if (auto m = read_file(d + "/memory.usage_in_bytes"); !m.empty()) u.memory_bytes = std::atoll(m.c_str());
        if (auto c = read_file(d + "/cpuacct.usage"); !c.empty()) u.cpu_seconds = std::atof(c.c_str()) / 1e9;
        if (auto p = read_file(d + "/pids.current"); !p.empty()) u.pids = std::atoll(p.c_str());
    }
    return u;
}

Expected<void> remove_cgroup(const std::string& cgroup) {
    for (const auto& d : cgroup_dirs(cgroup)) {
        // The last task may still be leaving the cgroup right after its exit was reaped.
        for (int i = 0; i < 100; ++i) {
            if (::rmdir(d.c_str()) == 0 || errno == ENOENT) break;
            if (errno != EBUSY) return netlib::fail_errno(Code::Kernel, "remove cgroup " + d, errno);
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }
    return {};
}

}  // namespace netrun::sandbox
