#include "cli/args.hpp"

#include <algorithm>
#include <optional>

namespace netrun::cli {

namespace {

using netlib::Code;
using netlib::fail;

const OptionSpec* find_long(std::span<const OptionSpec> specs, std::string_view name) {
    auto it = std::ranges::find(specs, name, &OptionSpec::name);
    return it == specs.end() ? nullptr : &*it;
}

const OptionSpec* find_short(std::span<const OptionSpec> specs, char c) {
    auto it = std::ranges::find(specs, c, &OptionSpec::short_name);
    return it == specs.end() || c == 0 ? nullptr : &*it;
}

}  // namespace

netlib::Expected<ParsedArgs> parse_args(std::span<const std::string_view> args,
                                        std::span<const OptionSpec> specs) {
    ParsedArgs out;
    bool options_done = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view a = args[i];
        if (options_done || a.size() < 2 || a[0] != '-') {
            out.positional.emplace_back(a);
            continue;
        }
        if (a == "--") {
            options_done = true;
            continue;
        }
        const OptionSpec* spec = nullptr;
        std::string shown(a);
        std::optional<std::string_view> inline_value;
        if (a.starts_with("--")) {
            auto body = a.substr(2);
            auto eq = body.find('=');
            spec = find_long(specs, body.substr(0, eq));
            if (eq != std::string_view::npos) inline_value = body.substr(eq + 1);
            shown = "--" + std::string(body.substr(0, eq));
        } else {
            spec = find_short(specs, a[1]);
            if (a.size() > 2) inline_value = a.substr(2);
            shown = std::string(a.substr(0, 2));
        }
        if (!spec) return fail(Code::InvalidConfig, "unknown option " + shown);
        if (!spec->takes_value) {
            if (inline_value) return fail(Code::InvalidConfig, "option " + shown + " takes no value");
            out.options.emplace_back(spec->name, "");
            continue;
        }
        if (!inline_value) {
            if (i + 1 >= args.size()) return fail(Code::InvalidConfig, "option " + shown + " needs a value");
            inline_value = args[++i];
        }
        out.options.emplace_back(spec->name, *inline_value);
    }
    return out;
}

}  // namespace netrun::cli
