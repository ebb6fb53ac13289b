#include "netlib/netlink/mac.hpp"

#include <sys/random.h>

#include <cstdio>

namespace netlib::netlink {

namespace {
int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

void random_bytes(std::uint8_t* p, std::size_t n) {
    while (n > 0) {
        ssize_t got = ::getrandom(p, n, 0);
        if (got <= 0) continue;  // EINTR; the entropy pool is initialised on any running system
        p += got;
        n -= static_cast<std::size_t>(got);
    }
}
}  // namespace

std::optional<Mac> parse_mac(std::string_view t) {
    if (t.size() != 17) return std::nullopt;
    Mac m{};
    for (std::size_t i = 0; i < 6; ++i) {
        int hi = hexval(t[i * 3]), lo = hexval(t[i * 3 + 1]);
        if (hi < 0 || lo < 0 || (i < 5 && t[i * 3 + 2] != ':')) return std::nullopt;
        m[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
    return m;
}

std::string format_mac(const std::uint8_t* b, std::size_t len) {
    std::string out;
    char part[4];
    for (std::size_t i = 0; i < len; ++i) {
        std::snprintf(part, sizeof part, i ? ":%02x" : "%02x", b[i]);
        out += part;
    }
    return out;
}

std::string random_mac() {
    Mac m{};
    random_bytes(m.data(), m.size());
    m[0] = static_cast<std::uint8_t>((m[0] & 0xfe) | 0x02);
    return format_mac(m.data(), m.size());
}

std::string random_name(std::string_view prefix) {
    std::uint8_t b[4];
    random_bytes(b, sizeof b);
    char hex[9];
    std::snprintf(hex, sizeof hex, "%02x%02x%02x%02x", b[0], b[1], b[2], b[3]);
    return std::string(prefix) + hex;
}

}  // namespace netlib::netlink
