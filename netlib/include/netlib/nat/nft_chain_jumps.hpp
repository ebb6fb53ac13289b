#pragma once
// What iptables-nft keeps in nf_tables, read directly: the chains a chain's rules jump to.
// One filtered netlink dump of that chain alone. `iptables-restore -C` of a jump makes the
// tool fetch every rule of the target chain as well, and CNI-HOSTPORT-DNAT holds one rule
// per published container.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "netlib/error.hpp"
#include "netlib/ip/addr.hpp"

namespace netlib::nat {

// Jump/goto targets of the rules of `chain` in nf_tables table `table` of family f (ip or
// ip6); nullopt when nf_tables has no such chain (iptables-legacy, or not set up yet).
Expected<std::optional<std::vector<std::string>>> nft_chain_jump_targets(ip::Family f,
                                                                         std::string_view table,
                                                                         std::string_view chain);

// Whether the iptables tool at `path` is the nf_tables flavour (xtables-nft-multi).
bool is_iptables_nft(const std::string& path);

}  // namespace netlib::nat
