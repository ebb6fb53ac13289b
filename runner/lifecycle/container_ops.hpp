#pragma once
// Operations on one container's resources that several commands share.
#include "image/image_store.hpp"
#include "state.hpp"

namespace netrun::lifecycle {

// An image store whose rmi refuses images used by a container in `states`.
netrun::image::Store image_store(StateStore& states);

// Rootfs, cgroup, logs and state of a container that is not running any more.
netlib::Expected<> remove_container(StateStore& states, const ContainerState& s);

// Signal, then SIGKILL after `timeout_s`; returns when the process is gone.
void stop_process(const ContainerState& s, int signal, int timeout_s);

// Wait until the monitor recorded the exit (or reconcile when there is no monitor).
ContainerState wait_recorded(StateStore& states, ContainerState s, int timeout_ms);

int fail_125(const netlib::Error& e);

}  // namespace netrun::lifecycle
