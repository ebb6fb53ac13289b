#pragma once
// netrun's top level: a table of subcommands, each a function over its own arguments. main()
// only dispatches, so later subcommands (run, ps, ...) are one table row each.
#include <span>
#include <string_view>

namespace netrun::cli {

struct Subcommand {
    std::string_view name;
    std::string_view summary;                            // one line for `netrun --help`
    int (*run)(std::span<const std::string_view> args);  // args after the subcommand name
};

// Exit status: the subcommand's, 0 for help, 2 for usage errors.
int dispatch(int argc, char** argv, std::span<const Subcommand> commands);

}  // namespace netrun::cli
