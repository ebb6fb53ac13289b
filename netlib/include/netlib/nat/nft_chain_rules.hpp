#pragma once
// What iptables-nft keeps in nf_tables, read directly: how many rules a chain has and where
// they jump. One filtered netlink dump of that chain alone, where `iptables-restore -C`
// in a batch that also appends elsewhere makes the tool fetch every rule of the table
// (one chain and one jump per published container).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "netlib/error.hpp"
#include "netlib/ip/addr.hpp"

namespace netlib::nat {

struct NftChainRules {
    std::size_t rules = 0;
    std::vector<std::string> jumps;  // jump/goto targets, in rule order
};

// The rules of `chain` in nf_tables table `table` of family f (ip or ip6). A chain (or
// table) that does not exist reads as one without rules.
Expected<NftChainRules> nft_chain_rules(ip::Family f, std::string_view table,
                                        std::string_view chain);

// Whether the iptables tool at `path` is the nf_tables flavour (xtables-nft-multi).
bool is_iptables_nft(const std::string& path);

}  // namespace netlib::nat
