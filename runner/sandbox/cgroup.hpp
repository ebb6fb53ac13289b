#pragma once
// Per-container cgroups: v2 when a unified hierarchy with the controllers is available, else
// the v1 controllers (memory, cpu, cpuacct, cpuset, pids), each under <ctrl>/netrun/<id>. The
// cgroup is named by a string: its directories, ':'-separated.
#include <sys/types.h>

#include <string>
#include <vector>

#include "spec.hpp"

namespace netrun::sandbox {

// Creates the cgroup and applies `res`; on failure nothing is left.
netlib::Expected<std::string> create_cgroup(const std::string& id, const Resources& res);
// Move `pid` (all its threads) into the cgroup.
netlib::Expected<> join_cgroup(const std::string& cgroup, pid_t pid);
// OOM kills counted so far (v2 memory.events / v1 memory.oom_control "oom_kill").
long oom_kills(const std::string& cgroup);
std::vector<std::string> cgroup_dirs(const std::string& cgroup);

}  // namespace netrun::sandbox
