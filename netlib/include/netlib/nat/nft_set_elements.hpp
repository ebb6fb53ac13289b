#pragma once
// Elements of existing nf_tables sets and maps, added or deleted straight over nfnetlink
// (libmnl): one batch, one kernel transaction. What libnftables costs for the same
// transaction (load and relocate it and four libraries, build a context, parse, fetch the
// ruleset cache) was ~3 ms of a ~6 ms portmap ADD; this is one sendmsg and its acks.
// The tables and sets themselves are still made by libnftables (NftPortmap's base script):
// this only writes elements of the kinds that script declares.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "netlib/error.hpp"

namespace netlib::nat {

// Bytes of a key or value written the way nft shows it: components joined by " . ", each
// an IPv4/IPv6 address, a port (decimal), a protocol (tcp, udp, sctp) or a quoted
// interface name; each component padded to 4 bytes as nf_tables concatenations are.
// nullopt for anything else (the caller then falls back to libnftables).
std::optional<std::vector<std::uint8_t>> nft_encode_data(std::string_view text);

struct NftSetElement {
    std::string set;
    std::vector<std::uint8_t> key;
    std::vector<std::uint8_t> value;  // empty for a set (not a map)
    std::string comment;              // empty: none
};

enum class NftElementOp { Add, Delete };

// One transaction on table `table` of family inet: all elements or none. Errors carry the
// kernel's errno in the message; any error (table or set missing, an element to delete
// missing, a different value under an existing key) leaves the sets as they were.
Expected<> nft_apply_elements(NftElementOp op, std::string_view table,
                              std::span<const NftSetElement> elems);

}  // namespace netlib::nat
