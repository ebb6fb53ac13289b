#pragma once
// A small option parser shared by netrun's subcommands: long options (`--name value`,
// `--name=value`), short ones (`-p value`, `-pvalue`), flags, repeated options kept in order,
// and `--` ending the options. No globals, no exit(): errors are values.
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "netlib/error.hpp"

namespace netrun::cli {

struct OptionSpec {
    std::string_view name;  // long name without "--"
    char short_name = 0;    // 0: none
    bool takes_value = true;
};

struct ParsedArgs {
    std::vector<std::pair<std::string, std::string>> options;  // (long name, value or "")
    std::vector<std::string> positional;
};

// Unknown options and missing values are errors naming the option.
netlib::Expected<ParsedArgs> parse_args(std::span<const std::string_view> args,
                                        std::span<const OptionSpec> specs);

}  // namespace netrun::cli
