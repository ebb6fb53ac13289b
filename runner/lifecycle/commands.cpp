// ps, stop, kill, rm, exec, logs, inspect: each reads the container's state, reconciles it
// with the kernel (a container may have died unwatched), and acts.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include "container_ops.hpp"
#include "network_ops.hpp"
#include "lifecycle.hpp"
#include "run_options.hpp"
#include "sandbox/spec.hpp"

namespace netrun::lifecycle {

using netlib::Code;

namespace {

int usage_error(const char* usage) {
    std::fprintf(stderr, "%s", usage);
    return sandbox::kExitRunnerError;
}

bool is_help(std::span<const std::string_view> a) {
    for (auto x : a)
        if (x == "--help") return true;
    return false;
}

std::string human_bytes(long long b) {
    if (b < 0) return "-";
    char buf[32];
    if (b >= (1LL << 30)) std::snprintf(buf, sizeof buf, "%.1fGiB", static_cast<double>(b) / (1LL << 30));
    else std::snprintf(buf, sizeof buf, "%.1fMiB", static_cast<double>(b) / (1LL << 20));
    return buf;
}

std::string status_text(const ContainerState& s) {
    if (s.status == "running") return "Up";
    if (s.status == "exited") return "Exited (" + std::to_string(s.exit_code) + ")" + (s.oom_killed ? " OOMKilled" : "");
    return "Created";
}

}  // namespace

int ps_main(std::span<const std::string_view> args) {
    if (is_help(args)) return std::cout << "usage: netrun ps [-a]\n", 0;
    bool all = false;
    for (auto a : args) {
        if (a == "-a" || a == "--all") all = true;
        else return usage_error("usage: netrun ps [-a]\n");
    }
    StateStore states;
    auto list = states.list();
    if (!list) return fail_125(list.error());
    std::printf("%-14s %-16s %-22s %-20s %-10s %-8s %-22s %s\n", "CONTAINER ID", "IMAGE", "COMMAND", "STATUS", "MEM",
                "PIDS", "PORTS", "NAMES");
    for (auto s : *list) {
        s = reconcile(states, s);
        if (!all && s.status != "running") continue;
        std::string cmd;
        for (const auto& a : s.argv) cmd += (cmd.empty() ? "" : " ") + a;
        if (cmd.size() > 20) cmd = cmd.substr(0, 17) + "...";
        long long mem = -1, pids = -1;
        if (s.status == "running")
            if (auto u = sandbox::usage(s.cgroup)) mem = u->memory_bytes, pids = u->pids;
        const std::string ports = s.status == "running" ? ports_text(s) : "";
        std::printf("%-14s %-16s %-22s %-20s %-10s %-8s %-22s %s\n", s.id.substr(0, 12).c_str(),
                    s.image.substr(0, 16).c_str(), ("\"" + cmd + "\"").c_str(), status_text(s).c_str(),
                    human_bytes(mem).c_str(), pids < 0 ? "-" : std::to_string(pids).c_str(), ports.c_str(),
                    s.name.c_str());
    }
    return 0;
}

int stop_main(std::span<const std::string_view> args) {
    const char* usage = "usage: netrun stop [-t SECONDS] CONTAINER...\n";
    if (is_help(args)) return std::cout << usage, 0;
    int timeout = -1;
    std::vector<std::string> names;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if ((args[i] == "-t" || args[i] == "--time") && i + 1 < args.size()) timeout = std::atoi(std::string(args[++i]).c_str());
        else if (args[i].starts_with("-")) return usage_error(usage);
        else names.emplace_back(args[i]);
    }
    if (names.empty()) return usage_error(usage);
    StateStore states;
    int rc = 0;
    for (const auto& n : names) {
        auto s = states.find(n);
        if (!s) {
            rc = fail_125(s.error());
            continue;
        }
        stop_process(*s, s->stop_signal, timeout >= 0 ? timeout : s->stop_timeout);
        (void)wait_recorded(states, *s, 2000);
        std::printf("%s\n", n.c_str());
    }
    return rc;
}

int kill_main(std::span<const std::string_view> args) {
    const char* usage = "usage: netrun kill [-s SIGNAL] CONTAINER...\n";
    if (is_help(args)) return std::cout << usage, 0;
    int sig = SIGKILL;
    std::vector<std::string> names;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if ((args[i] == "-s" || args[i] == "--signal") && i + 1 < args.size()) {
            auto s = parse_signal(args[++i]);
            if (!s) return fail_125(s.error());
            sig = *s;
        } else if (args[i].starts_with("-")) {
            return usage_error(usage);
        } else {
            names.emplace_back(args[i]);
        }
    }
    if (names.empty()) return usage_error(usage);
    StateStore states;
    int rc = 0;
    for (const auto& n : names) {
        auto s = states.find(n);
        if (!s) {
            rc = fail_125(s.error());
            continue;
        }
        auto cur = reconcile(states, *s);
        if (cur.status != "running") {
            rc = fail_125({static_cast<int>(Code::InvalidConfig), "container " + n + " is not running", {}});
            continue;
        }
        ::kill(cur.pid, sig);
        std::printf("%s\n", n.c_str());
    }
    return rc;
}

int rm_main(std::span<const std::string_view> args) {
    const char* usage = "usage: netrun rm [-f] CONTAINER...\n";
    if (is_help(args)) return std::cout << usage, 0;
    bool force = false;
    std::vector<std::string> names;
    for (auto a : args) {
        if (a == "-f" || a == "--force") force = true;
        else if (a.starts_with("-")) return usage_error(usage);
        else names.emplace_back(a);
    }
    if (names.empty()) return usage_error(usage);
    StateStore states;
    int rc = 0;
    for (const auto& n : names) {
        auto s = states.find(n);
        if (!s) {
            rc = fail_125(s.error());
            continue;
        }
        auto cur = reconcile(states, *s);
        if (cur.status == "running") {
            if (!force) {
                rc = fail_125({static_cast<int>(Code::Conflict),
                               "container " + n + " is running: stop it first or use rm -f", {}});
                continue;
            }
            stop_process(cur, SIGKILL, 0);
            cur = wait_recorded(states, cur, 2000);
            // With --rm its monitor may already be removing it.
            if (!states.find(cur.id)) {
                std::printf("%s\n", n.c_str());
                continue;
            }
        }
        if (auto r = remove_container(states, cur); !r) {
            rc = fail_125(r.error());
            continue;
        }
        std::printf("%s\n", n.c_str());
    }
    return rc;
}

int exec_main(std::span<const std::string_view> args) {
    const char* usage = "usage: netrun exec [-e K=V] [-w DIR] CONTAINER COMMAND [ARG...]\n";
    if (args.empty() || args[0] == "--help") return args.empty() ? usage_error(usage) : (std::cout << usage, 0);
    std::vector<std::string> env;
    std::string workdir;
    std::size_t i = 0;
    for (; i < args.size() && args[i].starts_with("-"); ++i) {
        if ((args[i] == "-e" || args[i] == "--env") && i + 1 < args.size()) env.emplace_back(args[++i]);
        else if ((args[i] == "-w" || args[i] == "--workdir") && i + 1 < args.size()) workdir = std::string(args[++i]);
        else return usage_error(usage);
    }
    if (i + 1 >= args.size()) return usage_error(usage);
    StateStore states;
    auto s = states.find(std::string(args[i]));
    if (!s) return fail_125(s.error());
    auto cur = reconcile(states, *s);
    if (cur.status != "running")
        return fail_125({static_cast<int>(Code::InvalidConfig), "container " + std::string(args[i]) + " is not running", {}});
    std::vector<std::string> argv(args.begin() + static_cast<long>(i) + 1, args.end());
    std::vector<std::string> full_env = cur.env;
    full_env.insert(full_env.end(), env.begin(), env.end());
    auto st = sandbox::exec_in(cur.pid, cur.cgroup, argv, full_env, workdir.empty() ? cur.workdir : workdir);
    if (!st) return fail_125(st.error());
    return *st;
}

int logs_main(std::span<const std::string_view> args) {
    const char* usage = "usage: netrun logs [-f] CONTAINER\n";
    if (is_help(args)) return std::cout << usage, 0;
    bool follow = false;
    std::string name;
    for (auto a : args) {
        if (a == "-f" || a == "--follow") follow = true;
        else if (a.starts_with("-")) return usage_error(usage);
        else name = std::string(a);
    }
    if (name.empty()) return usage_error(usage);
    StateStore states;
    auto s = states.find(name);
    if (!s) return fail_125(s.error());
    std::ifstream old(states.log_path(s->id) + ".1");
    if (old) std::cout << old.rdbuf();
    std::ifstream in(states.log_path(s->id));
    std::string chunk(8192, '\0');
    while (true) {
        in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        std::cout.write(chunk.data(), in.gcount());
        if (in.gcount() > 0) continue;
        std::cout.flush();
        if (!follow) break;
        auto cur = states.find(s->id);
        if (!cur || reconcile(states, *cur).status != "running") {
            in.clear();
            while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0)
                std::cout.write(chunk.data(), in.gcount());
            break;
        }
        in.clear();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return 0;
}

int inspect_main(std::span<const std::string_view> args) {
    if (args.empty() || is_help(args)) return args.empty() ? usage_error("usage: netrun inspect CONTAINER...\n") : (std::cout << "usage: netrun inspect CONTAINER...\n", 0);
    StateStore states;
    nlohmann::json out = nlohmann::json::array();
    int rc = 0;
    for (auto a : args) {
        auto s = states.find(std::string(a));
        if (!s) {
            rc = fail_125(s.error());
            continue;
        }
        auto cur = reconcile(states, *s);
        auto j = to_json(cur);
        if (cur.status == "running")
            if (auto u = sandbox::usage(cur.cgroup))
                j["usage"] = {{"memoryBytes", u->memory_bytes}, {"pids", u->pids}, {"cpuSeconds", u->cpu_seconds}};
        j["logPath"] = states.log_path(cur.id);
        j["networkSettings"] = network_settings(cur);
        out.push_back(j);
    }
    std::cout << out.dump(2) << "\n";
    return rc;
}

}  // namespace netrun::lifecycle
