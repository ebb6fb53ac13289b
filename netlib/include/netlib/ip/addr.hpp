#pragma once
// IPv4/IPv6 addresses and prefixes as plain values (network byte order inside), with the
// arithmetic IPAM needs. No allocation except for str().
#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace netlib::ip {

enum class Family : std::uint8_t { V4 = 4, V6 = 6 };

class Addr {
public:
    Addr() = default;  // 0.0.0.0
    static std::optional<Addr> parse(std::string_view text);
    static Addr from_bytes(Family f, std::span<const std::uint8_t> bytes);
    static Addr v4(std::uint32_t host_order);
    static Addr zero(Family f);

    Family family() const noexcept { return family_; }
    bool is_v4() const noexcept { return family_ == Family::V4; }
    bool is_v6() const noexcept { return family_ == Family::V6; }
    int af() const noexcept;  // AF_INET / AF_INET6
    int bits() const noexcept { return is_v4() ? 32 : 128; }
    std::span<const std::uint8_t> bytes() const noexcept {
        return {bytes_.data(), is_v4() ? 4u : 16u};
    }
    std::uint32_t v4_host_order() const noexcept;
    bool is_unspecified() const noexcept;
    bool is_loopback() const noexcept;
    bool is_link_local() const noexcept;
    std::string str() const;

    // Wrapping arithmetic within the family's address space.
    Addr next() const noexcept;
    Addr prev() const noexcept;

    friend bool operator==(const Addr&, const Addr&) = default;
    friend std::strong_ordering operator<=>(const Addr& a, const Addr& b) noexcept;

private:
    Family family_ = Family::V4;
    std::array<std::uint8_t, 16> bytes_{};
};

// An address with a prefix length. parse() keeps host bits ("10.0.0.5/24" is an interface
// address); network() and masked() drop them.
struct Net {
    Addr addr;
    int prefix = 0;

    static std::optional<Net> parse(std::string_view text);
    // Bare address becomes a host prefix (/32 or /128).
    static std::optional<Net> parse_or_host(std::string_view text);
    static Net host(const Addr& a) { return Net{a, a.bits()}; }

    Family family() const noexcept { return addr.family(); }
    Addr network() const noexcept;
    Addr last() const noexcept;  // highest address (v4 broadcast)
    Net masked() const noexcept { return Net{network(), prefix}; }
    bool has_host_bits() const noexcept { return network() != addr; }
    bool contains(const Addr& a) const noexcept;
    bool overlaps(const Net& other) const noexcept;
    std::string str() const;

    friend bool operator==(const Net&, const Net&) = default;
};

}  // namespace netlib::ip
