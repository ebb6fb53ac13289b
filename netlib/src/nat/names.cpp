#include "netlib/nat/names.hpp"

#include <cstdio>
#include <cstdlib>

#include "netlib/sys/sha512.hpp"

namespace netlib::nat {

namespace {

void append_go_quoted(std::string& out, std::string_view s) {
    static constexpr char kDigits[] = "0123456789abcdef";
    out.push_back('"');
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(ch);
        } else if (c >= 0x20 && c < 0x7f) {
            out.push_back(ch);
        } else {
            out += "\\x";
            out.push_back(kDigits[c >> 4]);
            out.push_back(kDigits[c & 0xf]);
        }
    }
    out.push_back('"');
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Consumes one quoted string (as produced by append_go_quoted) from the front of s.
std::optional<std::string> take_go_quoted(std::string_view& s) {
    if (s.empty() || s.front() != '"') return std::nullopt;
    std::string out;
    std::size_t i = 1;
    for (; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] != '\\') {
            out.push_back(s[i]);
            continue;
        }
        if (++i >= s.size()) return std::nullopt;
        if (s[i] == '"' || s[i] == '\\') {
            out.push_back(s[i]);
        } else if (s[i] == 'x' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
                   hex_value(s[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
            i += 2;
        } else {
            return std::nullopt;
        }
    }
    if (i >= s.size()) return std::nullopt;
    s.remove_prefix(i + 1);
    return out;
}

bool take_literal(std::string_view& s, std::string_view lit) {
    if (!s.starts_with(lit)) return false;
    s.remove_prefix(lit.size());
    return true;
}

}  // namespace

std::string chain_name(std::string_view prefix, std::string_view network,
                       std::string_view container_id) {
    if (prefix.size() >= kChainNameLen) {
        std::fprintf(stderr, "netlib: chain prefix \"%.*s\" leaves no room for the hash\n",
                     static_cast<int>(prefix.size()), prefix.data());
        std::abort();
    }
    sys::Sha512 h;
    h.update(network);
    h.update(container_id);
    std::string out(prefix);
    out += sys::to_hex(h.finish());
    out.resize(kChainNameLen);
    return out;
}

std::string owner_comment(std::string_view network, std::string_view container_id) {
    std::string out = "name: ";
    append_go_quoted(out, network);
    out += " id: ";
    append_go_quoted(out, container_id);
    return out;
}

std::optional<Owner> parse_owner_comment(std::string_view comment) {
    if (!take_literal(comment, "name: ")) return std::nullopt;
    auto net = take_go_quoted(comment);
    if (!net || !take_literal(comment, " id: ")) return std::nullopt;
    auto id = take_go_quoted(comment);
    if (!id || !comment.empty()) return std::nullopt;
    return Owner{std::move(*net), std::move(*id)};
}

}  // namespace netlib::nat
