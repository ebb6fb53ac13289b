#pragma once
// One nf_tables transaction written straight over nfnetlink (libmnl): chains, rules and
// set/map elements in tables libnftables created. What libnftables costs for the same
// transaction (load and relocate it and four libraries, build a context, parse, fetch the
// ruleset cache) was ~3 ms of a ~6 ms portmap ADD; this is one sendmsg and its acks.
// It covers the few shapes the per-container state of NftPortmap and NftMasq has; their
// tables, fixed chains and anything unusual still go through libnftables.
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include "netlib/error.hpp"
#include "netlib/ip/addr.hpp"

namespace netlib::nat {

// Bytes of a key or value written the way nft shows it: components joined by " . ", each
// an IPv4/IPv6 address, a port (decimal), a protocol (tcp, udp, sctp) or a quoted
// interface name; each component padded to 4 bytes as nf_tables concatenations are.
// nullopt for anything else (the caller then falls back to libnftables).
std::optional<std::vector<std::uint8_t>> nft_encode_data(std::string_view text);

struct NftSetElement {
    std::string set;
    std::vector<std::uint8_t> key;
    std::vector<std::uint8_t> value;  // a map's data; empty for a set (or a verdict map)
    std::string jump;                 // verdict map: "jump <chain>"
    std::string comment;              // empty: none
};

// Elements from (set, key) texts as nft writes them, with values[i] (if any) as the data of
// the i-th; grouped by set. nullopt when a key or value is not one nft_encode_data knows.
std::optional<std::vector<NftSetElement>> nft_elements(
    std::span<const std::pair<std::string, std::string>> keys, std::span<const std::string> values = {},
    std::string_view comment = {});

// A rule as nft would encode it (inet family tables).
struct NftRule {
    std::vector<std::uint8_t> exprs;  // NFTA_RULE_EXPRESSIONS payload
    // "ip daddr <net> accept" / "ip6 daddr <net> accept"; nullopt for a /0.
    static std::optional<NftRule> daddr_accept(const ip::Net& net);
    static NftRule masquerade();
};

enum class NftElementOp { Add, Delete };

// The messages of one transaction, in order, on table `table` of family inet. commit()
// applies all or none: errors carry the kernel's errno (ENOENT: table, set or chain
// missing; EEXIST: another value under an existing key), and leave everything as it was.
// A comment too long for nft's userdata (over 254 bytes) makes commit() fail without
// sending anything, so callers fall back to libnftables as for any refusal.
class NftBatch {
  public:
    explicit NftBatch(std::string table) : table_(std::move(table)) {}
    void add_chain(std::string_view chain, std::string_view comment);
    // Deletes the chain with its rules (it must not be jumped to any more).
    void delete_chain(std::string_view chain);
    void add_rule(std::string_view chain, const NftRule& rule);
    // Elements of one or more sets; consecutive elements of the same set share a message.
    void elements(NftElementOp op, std::span<const NftSetElement> elems);
    Expected<> commit(std::string_view what);

  private:
    struct Message {
        std::uint16_t type;
        std::uint16_t flags;
        std::vector<std::uint8_t> attrs;
    };
    std::string table_;
    std::vector<Message> messages_;
    std::string malformed_;  // why commit() must not send, if anything is
};

// Shorthand: one transaction of element adds or deletes.
Expected<> nft_apply_elements(NftElementOp op, std::string_view table,
                              std::span<const NftSetElement> elems);

}  // namespace netlib::nat
