#include "netlib/ip/addr.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>

namespace netlib::ip {

std::optional<Addr> Addr::parse(std::string_view text) {
    // inet_pton needs a NUL-terminated string; addresses are short.
    char buf[INET6_ADDRSTRLEN + 1];
    if (text.empty() || text.size() >= sizeof buf) return std::nullopt;
    std::memcpy(buf, text.data(), text.size());
    buf[text.size()] = '\0';
    Addr a;
    if (text.find(':') == std::string_view::npos) {
        if (inet_pton(AF_INET, buf, a.bytes_.data()) != 1) return std::nullopt;
        a.family_ = Family::V4;
    } else {
        if (inet_pton(AF_INET6, buf, a.bytes_.data()) != 1) return std::nullopt;
        a.family_ = Family::V6;
    }
    return a;
}

Addr Addr::from_bytes(Family f, std::span<const std::uint8_t> b) {
    Addr a;
    a.family_ = f;
    std::copy_n(b.begin(), std::min<std::size_t>(b.size(), f == Family::V4 ? 4 : 16),
                a.bytes_.begin());
    return a;
}

Addr Addr::v4(std::uint32_t h) {
    Addr a;
    a.bytes_[0] = static_cast<std::uint8_t>(h >> 24);
    a.bytes_[1] = static_cast<std::uint8_t>(h >> 16);
    a.bytes_[2] = static_cast<std::uint8_t>(h >> 8);
    a.bytes_[3] = static_cast<std::uint8_t>(h);
    return a;
}

Addr Addr::zero(Family f) {
    Addr a;
    a.family_ = f;
    return a;
}

int Addr::af() const noexcept { return is_v4() ? AF_INET : AF_INET6; }

std::uint32_t Addr::v4_host_order() const noexcept {
    return (std::uint32_t{bytes_[0]} << 24) | (std::uint32_t{bytes_[1]} << 16) |
           (std::uint32_t{bytes_[2]} << 8) | std::uint32_t{bytes_[3]};
}

bool Addr::is_unspecified() const noexcept {
    auto b = bytes();
    return std::all_of(b.begin(), b.end(), [](auto x) { return x == 0; });
}

bool Addr::is_loopback() const noexcept {
    if (is_v4()) return bytes_[0] == 127;
    for (int i = 0; i < 15; ++i)
        if (bytes_[i] != 0) return false;
    return bytes_[15] == 1;
}

bool Addr::is_link_local() const noexcept {
    if (is_v4()) return bytes_[0] == 169 && bytes_[1] == 254;
    return bytes_[0] == 0xfe && (bytes_[1] & 0xc0) == 0x80;
}

namespace {
// RFC 5952 text, as Go's net.IP.String() prints it: the reference host-local names lease
// files this way, so ours must match byte for byte. glibc differs for "::a.b.c.d" forms.
std::string format_v6(const std::array<std::uint8_t, 16>& b) {
    static constexpr std::array<std::uint8_t, 12> kMapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(kMapped.begin(), kMapped.end(), b.begin())) {
        char buf[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, b.data() + 12, buf, sizeof buf);
        return std::string("::ffff:") + buf;
    }
    std::array<unsigned, 8> g{};
    for (int i = 0; i < 8; ++i) g[i] = (unsigned{b[2 * i]} << 8) | b[2 * i + 1];
    int best = -1, best_len = 1;  // only runs of two or more groups are compressed
    for (int i = 0; i < 8;) {
        if (g[i] != 0) { ++i; continue; }
        int j = i;
        while (j < 8 && g[j] == 0) ++j;
        if (j - i > best_len) { best = i; best_len = j - i; }
        i = j;
    }
    std::string out;
    char hex[8];
    for (int i = 0; i < 8; ++i) {
        if (i == best) {
            out += "::";
            i += best_len - 1;
            continue;
        }
        if (!out.empty() && out.back() != ':') out += ':';
        std::snprintf(hex, sizeof hex, "%x", g[i]);
        out += hex;
    }
    return out;
}
}  // namespace

std::string Addr::str() const {
    if (is_v6()) return format_v6(bytes_);
    char buf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, bytes_.data(), buf, sizeof buf);
    return buf;
}

Addr Addr::next() const noexcept {
    Addr a = *this;
    for (int i = static_cast<int>(bytes().size()) - 1; i >= 0; --i)
        if (++a.bytes_[i] != 0) break;
    return a;
}

Addr Addr::prev() const noexcept {
    Addr a = *this;
    for (int i = static_cast<int>(bytes().size()) - 1; i >= 0; --i)
        if (a.bytes_[i]-- != 0) break;
    return a;
}

std::strong_ordering operator<=>(const Addr& a, const Addr& b) noexcept {
    if (a.family_ != b.family_) return a.family_ <=> b.family_;
    int c = std::memcmp(a.bytes_.data(), b.bytes_.data(), a.bytes().size());
    return c <=> 0;
}

namespace {
// Byte i of a prefix mask of length `prefix`.
std::uint8_t mask_byte(int prefix, int i) {
    int bits = std::clamp(prefix - i * 8, 0, 8);
    return static_cast<std::uint8_t>(0xff00u >> bits);
}
}  // namespace

std::optional<Net> Net::parse(std::string_view text) {
    auto slash = text.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    auto a = Addr::parse(text.substr(0, slash));
    if (!a) return std::nullopt;
    auto ptext = text.substr(slash + 1);
    int p = -1;
    auto [end, ec] = std::from_chars(ptext.data(), ptext.data() + ptext.size(), p);
    if (ec != std::errc{} || end != ptext.data() + ptext.size() || ptext.empty() || p < 0 ||
        p > a->bits())
        return std::nullopt;
    return Net{*a, p};
}

std::optional<Net> Net::parse_or_host(std::string_view text) {
    if (text.find('/') != std::string_view::npos) return parse(text);
    auto a = Addr::parse(text);
    if (!a) return std::nullopt;
    return host(*a);
}

Addr Net::network() const noexcept {
    auto b = addr.bytes();
    std::array<std::uint8_t, 16> out{};
    for (std::size_t i = 0; i < b.size(); ++i)
        out[i] = b[i] & mask_byte(prefix, static_cast<int>(i));
    return Addr::from_bytes(addr.family(), {out.data(), b.size()});
}

Addr Net::last() const noexcept {
    auto b = addr.bytes();
    std::array<std::uint8_t, 16> out{};
    for (std::size_t i = 0; i < b.size(); ++i)
        out[i] = b[i] | static_cast<std::uint8_t>(~mask_byte(prefix, static_cast<int>(i)));
    return Addr::from_bytes(addr.family(), {out.data(), b.size()});
}

bool Net::contains(const Addr& a) const noexcept {
    if (a.family() != addr.family()) return false;
    return Net{a, prefix}.network() == network();
}

bool Net::overlaps(const Net& o) const noexcept {
    if (o.family() != family()) return false;
    return contains(o.network()) || o.contains(network());
}

std::string Net::str() const { return addr.str() + "/" + std::to_string(prefix); }

}  // namespace netlib::ip
