// netrun: dispatch to a subcommand module; nothing else lives here.
#include "cli/subcommand.hpp"
#include "net/net_command.hpp"

int main(int argc, char** argv) {
    static constexpr netrun::cli::Subcommand kCommands[] = {
        {"net", "attach/detach a netns to a CNI network (add, check, del, status, gc)", netrun::net::net_main},
    };
    return netrun::cli::dispatch(argc, argv, kCommands);
}
