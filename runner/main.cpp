// netrun: dispatch to a subcommand module; nothing else lives here.
#include <string_view>
#include <vector>

#include "cli/subcommand.hpp"
#include "lifecycle/lifecycle.hpp"
#include "net/builtin_plugins.hpp"
#include "net/net_command.hpp"
#include "net/network_command.hpp"

int main(int argc, char** argv) {
    netrun::net::register_builtin_plugins();
    namespace lc = netrun::lifecycle;
    static constexpr netrun::cli::Subcommand kCommands[] = {
        {"run", "run a command in a new container", lc::run_main},
        {"ps", "list containers (-a: also exited ones)", lc::ps_main},
        {"stop", "stop containers (stop signal, then SIGKILL after the timeout)", lc::stop_main},
        {"kill", "send a signal to containers", lc::kill_main},
        {"rm", "remove containers (-f: kill running ones first)", lc::rm_main},
        {"exec", "run a command in a running container", lc::exec_main},
        {"logs", "print a detached container's output (-f: follow)", lc::logs_main},
        {"inspect", "print containers' state as JSON", lc::inspect_main},
        {"import", "import a rootfs tar, docker save archive or OCI layout", lc::import_main},
        {"images", "list images", lc::images_main},
        {"rmi", "remove images", lc::rmi_main},
        {"gc", "release what dead containers left of their networks (CNI DEL, GC)", lc::gc_main},
        {"network", "list, inspect, create and remove networks (ls, inspect, create, rm)",
         lc::network_main},
        {"net", "attach/detach a netns to a CNI network (add, check, del, status, gc)",
         netrun::net::net_main},
    };
    // firejail style: `netrun [OPTIONS] -- CMD` runs CMD in the built-in image.
    if (argc > 1 && argv[1][0] == '-' && std::string_view(argv[1]) != "--help" &&
        std::string_view(argv[1]) != "-h") {
        std::vector<std::string_view> args(argv + 1, argv + argc);
        return lc::run_short_form(args);
    }
    return netrun::cli::dispatch(argc, argv, kCommands);
}
