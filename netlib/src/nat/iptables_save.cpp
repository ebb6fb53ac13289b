#include "netlib/nat/iptables_save.hpp"

#include <algorithm>

namespace netlib::nat {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    return s;
}

std::string_view first_word(std::string_view s) {
    auto end = s.find_first_of(" \t");
    return s.substr(0, end);
}

Expected<SavedRule> parse_rule_line(std::string_view line, std::size_t lineno) {
    // line starts with "-A "
    std::string_view rest = trim(line.substr(3));
    std::string_view chain = first_word(rest);
    if (chain.empty()) {
        return fail(Code::Kernel, "parse iptables-save output line " + std::to_string(lineno) +
                                      ": rule without chain");
    }
    rest = trim(rest.substr(chain.size()));
    auto words = split_rule_words(rest);
    if (!words) {
        return std::unexpected(with_context(
            words.error(), "parse iptables-save output line " + std::to_string(lineno)));
    }
    return SavedRule{std::string(chain), std::string(rest), std::move(*words)};
}

}  // namespace

std::optional<SavedRule::Option> SavedRule::option(std::string_view flag) const {
    for (std::size_t i = 0; i + 1 < args.size(); ++i) {
        if (args[i] != flag) continue;
        return Option{i > 0 && args[i - 1] == "!", args[i + 1]};
    }
    return std::nullopt;
}

std::string SavedRule::target() const {
    auto o = option("-j");
    return o ? o->value : std::string();
}

std::string SavedRule::comment() const {
    auto o = option("--comment");
    return o ? o->value : std::string();
}

bool SavedTable::has_chain(std::string_view name) const {
    return std::find(chains.begin(), chains.end(), name) != chains.end();
}

Expected<SavedTable> parse_iptables_save(std::string_view text, std::string_view table) {
    SavedTable out;
    bool in_table = false;
    std::size_t lineno = 0;
    while (!text.empty()) {
        auto nl = text.find('\n');
        std::string_view line = trim(text.substr(0, nl));
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        ++lineno;
        if (line.empty() || line.front() == '#') continue;
        if (line.front() == '*') {
            in_table = line.substr(1) == table;
            continue;
        }
        if (!in_table) continue;
        if (line == "COMMIT") {
            in_table = false;
        } else if (line.front() == ':') {
            out.chains.emplace_back(first_word(line.substr(1)));
        } else if (line.starts_with("-A ")) {
            out.rules.push_back(NETLIB_TRY(parse_rule_line(line, lineno)));
        }
    }
    return out;
}

Expected<std::vector<std::string>> split_rule_words(std::string_view spec) {
    std::vector<std::string> words;
    std::string cur;
    bool in_word = false, quoted = false;
    for (std::size_t i = 0; i < spec.size(); ++i) {
        char c = spec[i];
        if (quoted) {
            if (c == '\\' && i + 1 < spec.size())
                cur.push_back(spec[++i]);
            else if (c == '"')
                quoted = false;
            else
                cur.push_back(c);
        } else if (c == '"') {
            quoted = in_word = true;
        } else if (c == ' ' || c == '\t') {
            if (in_word) words.push_back(std::move(cur));
            cur.clear();
            in_word = false;
        } else {
            cur.push_back(c);
            in_word = true;
        }
    }
    if (quoted)
        return fail(Code::Kernel, "unterminated quote in rule \"" + std::string(spec) + "\"");
    if (in_word) words.push_back(std::move(cur));
    return words;
}

std::string quote_rule_word(std::string_view word) {
    std::string out = "\"";
    for (char c : word) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

}  // namespace netlib::nat
