#include "container_ops.hpp"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "network_ops.hpp"
#include "sandbox/spec.hpp"

namespace netrun::lifecycle {

netrun::image::Store image_store(StateStore& states) {
    netrun::image::Store store;
    store.set_in_use_hook([&states](const std::string& image_id) {
        auto all = states.list();
        if (!all) return true;  // cannot tell: refuse rather than break a container
        for (const auto& s : *all)
            if (s.image_id == image_id) return true;
        return false;
    });
    return store;
}

netlib::Expected<> remove_container(StateStore& states, const ContainerState& state) {
    ContainerState s = state;
    // Kept when DEL fails: the state is what lets `rm` or `netrun gc` try again.
    NETLIB_TRYV(release_network(states, s));
    auto store = image_store(states);
    NETLIB_TRYV(store.remove_rootfs(s.id));
    (void)sandbox::remove_cgroup(s.cgroup);
    return states.remove(s);
}

void stop_process(const ContainerState& s, int signal, int timeout_s) {
    if (!process_alive(s.pid, s.start_time)) return;
    ::kill(s.pid, signal);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    while (process_alive(s.pid, s.start_time) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (process_alive(s.pid, s.start_time)) ::kill(s.pid, SIGKILL);
    // A killed process lingers as a zombie until its monitor reaps it.
    for (int i = 0; i < 250 && ::kill(s.pid, 0) == 0 && process_start_time(s.pid) == s.start_time; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        if (!process_alive(s.monitor_pid, 0)) break;
    }
}

ContainerState wait_recorded(StateStore& states, ContainerState s, int timeout_ms) {
    for (int waited = 0; waited < timeout_ms; waited += 20) {
        auto fresh = states.find(s.id);
        if (!fresh) return s;
        if (fresh->status != "running") return *fresh;
        if (!process_alive(fresh->monitor_pid, 0)) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    auto fresh = states.find(s.id);
    return reconcile(states, fresh ? *fresh : s);
}

int fail_125(const netlib::Error& e) {
    std::fprintf(stderr, "netrun: %s\n", e.msg.c_str());
    return sandbox::kExitRunnerError;
}

}  // namespace netrun::lifecycle
