// What every side-by-side benchmark needs: a private netns + mount ns sandbox, a timed
// exec of a plugin, and median/p95 statistics. Benchmarks interleave netrun and the Go
// reference (/usr/lib/cni) in one run so both see the same machine state.
#pragma once

#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "netlib/sys/spawn.hpp"

namespace bench {

using Clock = std::chrono::steady_clock;

struct Impl {
    std::string label;
    std::string dir;  // CNI_PATH
};

struct Stats {
    double median = 0, p95 = 0;
};

inline Stats stats(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    if (v.empty()) return {};
    return {v[v.size() / 2], v[std::min(v.size() - 1, v.size() * 95 / 100)]};
}

inline std::vector<std::string> cni_env(const char* cmd, const Impl& impl, const std::string& id,
                                        const std::string& netns, const std::string& ifname = "eth0") {
    return {std::string("CNI_COMMAND=") + cmd, "CNI_CONTAINERID=" + id, "CNI_NETNS=" + netns,
            "CNI_IFNAME=" + ifname, "CNI_PATH=" + impl.dir, "PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
}

// Time one exec in milliseconds; abort on failure (a benchmark of failures is meaningless).
inline double timed(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                    const std::string& in) {
    auto t0 = Clock::now();
    auto r = netlib::sys::spawn_capture(argv, env, in);
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (!r || r->exit_status != 0) {
        std::fprintf(stderr, "bench: %s failed: %s %s\n", argv[0].c_str(),
                     r ? r->out.c_str() : r.error().msg.c_str(), r ? r->err.c_str() : "");
        std::exit(1);
    }
    return ms;
}

// Private network and mount namespaces with a fresh /run: the host network is never touched.
inline void enter_sandbox() {
    if (::unshare(CLONE_NEWNET | CLONE_NEWNS) != 0) {
        std::perror("bench: unshare (needs root)");
        std::exit(77);
    }
    ::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr);
    ::mount("tmpfs", "/run", "tmpfs", 0, nullptr);
    ::mkdir("/run/netns", 0755);
    // Leases, port records and locks the plugins write stay out of the host's /var/lib/cni.
    ::mkdir("/var/lib/cni", 0755);
    ::mount("tmpfs", "/var/lib/cni", "tmpfs", 0, nullptr);
}

// Setup steps: a failure ends the benchmark (its figures would mean nothing).
inline void sh(const std::string& cmd) {
    if (std::system(cmd.c_str()) != 0) {
        std::fprintf(stderr, "bench: failed: %s\n", cmd.c_str());
        std::exit(1);
    }
}

inline void print_header(const char* title, int iterations) {
    std::printf("%s, %d iterations each, interleaved (ms)\n", title, iterations);
    std::printf("%-22s %10s %10s %12s %12s %8s\n", "operation", "netrun p50", "netrun p95", "reference p50",
                "reference p95", "ratio");
}

inline void print_row(const char* op, const std::vector<double>& ours, const std::vector<double>& ref) {
    auto a = stats(ours), b = stats(ref);
    std::printf("%-22s %10.2f %10.2f %12.2f %12.2f %7.1fx\n", op, a.median, a.p95, b.median, b.p95,
                b.median / a.median);
}

}  // namespace bench
