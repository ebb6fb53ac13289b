#pragma once
// The supervisor of a detached container: a small process (Boost.Asio event loop) that is
// the container's parent, copies its output into the log file (size-capped, one rotation),
// records its exit in the state, and removes it when --rm was given.
#include <functional>

#include "sandbox/spec.hpp"
#include "state.hpp"

namespace netrun::lifecycle {

// Forks the monitor, which launches the container; returns the CLI's exit status after the
// monitor reported the start (0, id printed) or the failure (125, message printed).
// Starts the container (with its network): called by the monitor, which is its parent.
using Launcher = std::function<netlib::Expected<sandbox::Launched>(sandbox::Spec)>;

int start_detached(StateStore& states, ContainerState& s, const sandbox::Spec& spec,
                   const Launcher& launch);

void mark_running(StateStore& states, ContainerState& s, const sandbox::Launched& l, pid_t monitor);
void mark_exited(StateStore& states, ContainerState& s, const sandbox::ExitInfo& info);

inline constexpr long long kLogCap = 10LL << 20;  // bytes per log file before rotation

}  // namespace netrun::lifecycle
