#pragma once
// NETRUN_TRACE=1: milliseconds since the process started, per phase, on stderr. How the
// start-to-exit budget is spent (bench/bench_runner_publish) without a profiler.
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace netrun::lifecycle {

inline void trace(const char* phase) {
    static const bool on = [] {
        const char* v = std::getenv("NETRUN_TRACE");
        return v && *v == '1';
    }();
    if (!on) return;
    static const auto t0 = std::chrono::steady_clock::now();
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::fprintf(stderr, "netrun trace %8.2f ms  %s\n", ms, phase);
}

}  // namespace netrun::lifecycle
