#pragma once
// Reading `iptables-save -t <table>` output: which chains exist and which rules they hold.
// Rules keep their original text so a rule can be deleted with `-D <same spec>` in a
// restore batch (iptables-restore reads back exactly what iptables-save prints).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "netlib/error.hpp"

namespace netlib::nat {

struct SavedRule {
    std::string chain;
    std::string spec;               // text after "-A <chain> ", quoting as printed
    std::vector<std::string> args;  // spec split into words, quotes removed

    struct Option {
        bool negated = false;
        std::string value;
    };
    // Value of an option such as "-s", "-d", "-j", "--comment"; negated when "!" precedes it.
    std::optional<Option> option(std::string_view flag) const;
    std::string target() const;   // "-j" value, empty if none
    std::string comment() const;  // "--comment" value, empty if none
};

struct SavedTable {
    std::vector<std::string> chains;  // every chain declared in the table, built-in or not
    std::vector<SavedRule> rules;     // in the order printed

    bool has_chain(std::string_view name) const;
};

// Parses the named table out of iptables-save output. A missing table yields an empty
// SavedTable (iptables-nft prints nothing for a table that was never created).
Expected<SavedTable> parse_iptables_save(std::string_view text, std::string_view table);

// Splits an iptables rule spec into words the way iptables-restore does: double quotes
// group words, a backslash inside quotes escapes the next character.
Expected<std::vector<std::string>> split_rule_words(std::string_view spec);

// Quotes a word for an iptables-restore line (always double-quoted; '"' and '\' escaped).
std::string quote_rule_word(std::string_view word);

}  // namespace netlib::nat
