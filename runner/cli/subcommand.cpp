#include "cli/subcommand.hpp"

#include <iostream>
#include <string>
#include <vector>

namespace netrun::cli {

namespace {

void usage(std::ostream& os, std::span<const Subcommand> commands) {
    os << "usage: netrun COMMAND [ARGS...]\n\ncommands:\n";
    for (const auto& c : commands) os << "  " << c.name << std::string(10 - std::min<std::size_t>(c.name.size(), 9), ' ') << c.summary << "\n";
    os << "\n'netrun COMMAND --help' describes a command.\n";
}

}  // namespace

int dispatch(int argc, char** argv, std::span<const Subcommand> commands) {
    std::vector<std::string_view> args(argv + 1, argv + argc);
    if (args.empty()) {
        usage(std::cerr, commands);
        return 2;
    }
    if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        usage(std::cout, commands);
        return 0;
    }
    for (const auto& c : commands)
        if (c.name == args[0]) return c.run(std::span(args).subspan(1));
    std::cerr << "netrun: unknown command \"" << args[0] << "\"\n";
    usage(std::cerr, commands);
    return 2;
}

}  // namespace netrun::cli
