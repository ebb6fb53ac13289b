#pragma once
// The container side of networking: turning run options into a network plan and sandbox
// settings, the BeforeStart hook that attaches networks and writes the DNS files, and the
// release (CNI DEL, unpin) that every exit path calls.
#include <sys/types.h>

#include "net/network_plan.hpp"
#include "run_options.hpp"
#include "sandbox/spec.hpp"
#include "state.hpp"

namespace netrun::lifecycle {

struct NetworkSetup {
    net::NetworkPlan plan;
    pid_t target_pid = 0;      // container: mode, the target's PID 1
    std::string target_state;  // container: mode, the target's state dir (shares its DNS files)
};

// Checks the network options (docker's rules) and, for container:NAME, that the target runs.
netlib::Expected<NetworkSetup> prepare_network(StateStore& states, const RunOptions& o);

// Network mode, netns to join and DNS file mounts of the spec.
void apply_network(const NetworkSetup& n, const StateStore& states, const ContainerState& s,
                   sandbox::Spec& spec);

// Writes hosts/hostname/resolv.conf that do not depend on the container's addresses
// (host, none, container: modes) before launch.
netlib::Expected<> write_static_dns_files(const NetworkSetup& n, const RunOptions& o,
                                          const StateStore& states, const ContainerState& s);

// The BeforeStart hook: attach (pinning the child's netns), record it in the state, write
// the DNS files with the container's addresses.
sandbox::BeforeStart attach_hook(const NetworkSetup& n, const RunOptions& o, StateStore& states,
                                 ContainerState& s);

// Launches the container with its network. CNI ADD runs in a helper process while the
// container is being set up: the netns is created first, the container joins it and waits
// for the helper's go before it execs (the DNS files, bind-mounted by then, are filled in
// place). With --userns=auto the netns must belong to the container's user namespace, so
// the network is attached from the BeforeStart hook instead, before the container's setup.
netlib::Expected<sandbox::Launched> launch_with_network(const NetworkSetup& n, const RunOptions& o,
                                                        StateStore& states, ContainerState& s,
                                                        sandbox::Spec spec);

// CNI DEL of whatever is still attached, then records that nothing is. Safe to call from
// several processes and more than once.
netlib::Expected<> release_network(StateStore& states, ContainerState& s);
bool network_attached(const ContainerState& s);

// docker inspect's NetworkSettings, in our words: sandboxKey, ipAddress, gateway, ports,
// networks {name: {ifName, ipAddresses, gateway, macAddress}}.
nlohmann::json network_settings(const ContainerState& s);
// "0.0.0.0:8088->80/tcp, ..." for ps.
std::string ports_text(const ContainerState& s);

}  // namespace netrun::lifecycle
