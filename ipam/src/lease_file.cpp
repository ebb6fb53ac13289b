#include "lease_file.hpp"

namespace ipam::files {

namespace ip = netlib::ip;

namespace {
constexpr std::string_view kIndexHeader = "netrun-index v1";
constexpr std::size_t kNameMax = 255;

// Go's strings.TrimSpace for the ASCII whitespace lease files can contain.
std::string_view trim(std::string_view s) {
    auto ws = [](char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
    };
    while (!s.empty() && ws(s.front())) s.remove_prefix(1);
    while (!s.empty() && ws(s.back())) s.remove_suffix(1);
    return s;
}
}  // namespace

std::string last_reserved_name(std::size_t set) {
    return std::string(kLastReservedPrefix) + std::to_string(set);
}

std::string lease_content(const Attachment& who) {
    return who.container_id + "\r\n" + who.ifname;
}

Lease parse_lease(const ip::Addr& addr, std::string_view content) {
    content = trim(content);
    Lease l{addr, {}, std::nullopt};
    if (auto crlf = content.find("\r\n"); crlf != std::string_view::npos) {
        l.container_id = content.substr(0, crlf);
        l.ifname = std::string(content.substr(crlf + 2));
    } else {
        l.container_id = content;
    }
    return l;
}

std::optional<ip::Addr> lease_addr(std::string_view name) {
    auto a = ip::Addr::parse(name);
    if (!a || a->str() != name) return std::nullopt;
    return a;
}

std::string index_name(const Attachment& who) {
    std::string n = std::string(kIndexPrefix) + who.container_id + ":" + who.ifname;
    return n.size() <= kNameMax ? n : std::string{};
}

std::optional<Attachment> parse_index_name(std::string_view name) {
    if (!name.starts_with(kIndexPrefix)) return std::nullopt;
    name.remove_prefix(kIndexPrefix.size());
    auto colon = name.find(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    return Attachment{std::string(name.substr(0, colon)), std::string(name.substr(colon + 1))};
}

std::string index_content(std::span<const ip::Addr> addrs) {
    std::string out(kIndexHeader);
    out += '\n';
    for (const auto& a : addrs) out += a.str() + "\n";
    return out;
}

std::optional<std::vector<ip::Addr>> parse_index(std::string_view content) {
    auto nl = content.find('\n');
    if (nl == std::string_view::npos || content.substr(0, nl) != kIndexHeader) return std::nullopt;
    content.remove_prefix(nl + 1);
    std::vector<ip::Addr> out;
    while (!content.empty()) {
        nl = content.find('\n');
        auto line = content.substr(0, nl);
        content.remove_prefix(nl == std::string_view::npos ? content.size() : nl + 1);
        if (line.empty()) continue;
        auto a = ip::Addr::parse(line);
        if (!a) return std::nullopt;
        out.push_back(*a);
    }
    return out;
}

}  // namespace ipam::files
