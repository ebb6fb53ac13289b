#pragma once
// Stable identity of NAT state: chain names and rule comments derived from
// (network, containerID) byte-for-byte like the reference plugins, so chains created by
// either implementation are found by the other (drop-in replacement, upgrades, GC).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace netlib::nat {

// iptables limits chain names to 28 characters; every hashed chain has exactly this length.
inline constexpr std::size_t kChainNameLen = 28;

// Prefixes in use by the reference: "CNI-" (masquerade), "CNI-DN-" (portmap DNAT).
inline constexpr std::string_view kMasqChainPrefix = "CNI-";
inline constexpr std::string_view kDnatChainPrefix = "CNI-DN-";

// prefix + lowercase hex of sha512(network + containerID), cut to kChainNameLen characters.
// Precondition: prefix.size() < kChainNameLen (prefixes are constants; violating it aborts).
std::string chain_name(std::string_view prefix, std::string_view network,
                       std::string_view container_id);

inline std::string masq_chain_name(std::string_view network, std::string_view container_id) {
    return chain_name(kMasqChainPrefix, network, container_id);
}

// `name: "<network>" id: "<containerID>"`, each value quoted like Go's %q (backslash
// escapes for '"', '\\' and bytes outside printable ASCII).
std::string owner_comment(std::string_view network, std::string_view container_id);

struct Owner {
    std::string network;
    std::string container_id;
    friend bool operator==(const Owner&, const Owner&) = default;
};

// Inverse of owner_comment(); nullopt for any other text (e.g. portmap's "dnat name: ...").
std::optional<Owner> parse_owner_comment(std::string_view comment);

}  // namespace netlib::nat
