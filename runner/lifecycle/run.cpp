// `netrun run`: options -> image -> state (name taken) -> overlay rootfs -> launch. In the
// foreground this process supervises the container; with -d a monitor process does
// (monitor.cpp) and the CLI returns once the container has started.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "container_ops.hpp"
#include "lifecycle.hpp"
#include "monitor.hpp"
#include "network_ops.hpp"
#include "run_options.hpp"
#include "sandbox/spec.hpp"
#include "trace.hpp"

namespace netrun::lifecycle {

namespace {

pid_t g_container = 0;

void forward(int sig) {
    if (g_container > 0) ::kill(g_container, sig);
}

sandbox::Spec build_spec(const RunOptions& o, const netrun::image::Image& img,
                         const ContainerState& s, const std::string& rootfs) {
    sandbox::Spec spec;
    spec.id = s.id;
    spec.name = s.name;
    spec.hostname = s.hostname;
    spec.rootfs = rootfs;
    spec.argv = s.argv;
    spec.env = img.config.env;
    spec.env.push_back("HOSTNAME=" + s.hostname);
    for (const auto& e : o.env) spec.env.push_back(e);
    spec.workdir = s.workdir;
    spec.user = s.user;
    spec.volumes = o.volumes;
    spec.tmpfs = o.tmpfs;
    spec.read_only = o.read_only;
    spec.resources = o.resources;
    spec.security = o.security;
    spec.userns_auto = o.userns_auto;
    spec.init = o.init;
    return spec;
}

int foreground(StateStore& states, ContainerState& s, const sandbox::Spec& spec,
               const Launcher& launch) {
    auto launched = launch(spec);
    if (!launched) {
        (void)remove_container(states, s);
        return fail_125(launched.error());
    }
    g_container = launched->pid;
    trace("launched");
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2}) ::signal(sig, forward);
    mark_running(states, s, *launched, ::getpid());
    auto info = sandbox::wait_exit(*launched);
    trace("exited");
    (void)release_network(states, s);
    trace("network released");
    int status = info ? info->status : sandbox::kExitRunnerError;
    mark_exited(states, s, info ? *info : sandbox::ExitInfo{status, false});
    if (s.auto_remove) (void)remove_container(states, s);
    trace("removed");
    return status;
}

int run_with(RunOptions o) {
    trace("start");
    StateStore states;
    auto store = image_store(states);
    auto img = store.resolve(o.image.empty() ? std::string(netrun::image::kDefaultImage) : o.image);
    if (!img) return fail_125(img.error());
    trace("image resolved");
    auto network = prepare_network(states, o);
    if (!network) return fail_125(network.error());
    ContainerState s;
    s.id = new_container_id();
    s.name = o.name;
    s.image = o.image.empty() ? std::string(netrun::image::kDefaultImage) : o.image;
    s.image_id = img->id;
    s.argv = img->config.entrypoint;
    for (const auto& c : o.cmd.empty() ? img->config.cmd : o.cmd) s.argv.push_back(c);
    if (s.argv.empty())
        return fail_125({static_cast<int>(netlib::Code::InvalidConfig),
                         "no command specified (the image has none either)",
                         {}});
    s.workdir =
        !o.workdir.empty() ? o.workdir : (img->config.workdir.empty() ? "/" : img->config.workdir);
    s.user = !o.user.empty() ? o.user : img->config.user;
    s.hostname = !o.hostname.empty() ? o.hostname : s.id.substr(0, 12);
    for (const auto& n : o.nets) s.net += (s.net.empty() ? "" : ",") + n;
    if (s.net.empty()) s.net = "bridge";
    s.auto_remove = o.rm;
    s.detached = o.detach;
    s.stop_signal = o.stop_signal;
    s.stop_timeout = o.stop_timeout;
    s.created = now_rfc3339();
    s.monitor_pid = ::getpid();  // until the container runs: tells `netrun gc` it is being set up
    s.env = o.env;
    s.config = {{"memory", o.resources.memory.value_or(0)},
                {"cpus", o.resources.cpus.value_or(0)},
                {"pidsLimit", o.resources.pids_limit.value_or(0)},
                {"readOnly", o.read_only},
                {"userns", o.userns_auto ? "auto" : "host"},
                {"init", o.init},
                {"privileged", o.security.privileged}};
    if (auto r = states.create(s); !r) return fail_125(r.error());
    auto rootfs = store.prepare_rootfs(*img, s.id, o.read_only);
    if (!rootfs) {
        (void)states.remove(s);
        return fail_125(rootfs.error());
    }
    s.rootfs = rootfs->merged;
    trace("rootfs ready");
    (void)states.save(s);
    auto spec = build_spec(o, *img, s, rootfs->merged);
    apply_network(*network, states, s, spec);
    if (auto r = write_static_dns_files(*network, o, states, s); !r) {
        (void)remove_container(states, s);
        return fail_125(r.error());
    }
    const Launcher launch = [&](sandbox::Spec sp) {
        return launch_with_network(*network, o, states, s, std::move(sp));
    };
    if (o.detach) return start_detached(states, s, spec, launch);
    return foreground(states, s, spec, launch);
}

}  // namespace

int run_main(std::span<const std::string_view> args) {
    auto o = parse_run_options(args);
    if (!o) {
        if (o.error().msg == "help") return std::cout << kRunUsage, 0;
        return fail_125(o.error());
    }
    return run_with(std::move(*o));
}

int run_short_form(std::span<const std::string_view> args) {
    auto o = parse_run_options(args);
    if (!o) {
        if (o.error().msg == "help") return std::cout << kRunUsage, 0;
        return fail_125(o.error());
    }
    // `netrun [OPTIONS] WORD ...` without `--`: WORD is the image when one has that name
    // (`netrun -d -p 8088:80 netrun/busybox httpd ...`), else the command (firejail style).
    if (!o->image.empty() && o->image != netrun::image::kDefaultImage) {
        StateStore states;
        if (!image_store(states).resolve(o->image)) {
            o->cmd.insert(o->cmd.begin(), o->image);
            o->image.clear();
        }
    }
    return run_with(std::move(*o));
}

}  // namespace netrun::lifecycle
