#pragma once
// What iptables-nft keeps in nf_tables, read directly: how many rules a chain has and where
// they jump. One filtered netlink dump of that chain alone, where `iptables-restore -C`
// in a batch that also appends elsewhere makes the tool fetch every rule of the table
// (one chain and one jump per published container).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "netlib/error.hpp"
#include "netlib/ip/addr.hpp"

struct mnl_socket;

namespace netlib::nat {

struct NftChainRules {
    std::size_t rules = 0;
    std::vector<std::string> jumps;  // jump/goto targets, in rule order
};

// One nfnetlink socket for any number of chain reads (an ADD reads up to seven).
class NftRuleReader {
  public:
    static Expected<NftRuleReader> open();
    // The rules of `chain` in nf_tables table `table` of family f (ip or ip6). A chain (or
    // table) that does not exist reads as one without rules.
    Expected<NftChainRules> chain_rules(ip::Family f, std::string_view table,
                                        std::string_view chain);

  private:
    using Socket = std::unique_ptr<mnl_socket, int (*)(mnl_socket*)>;
    explicit NftRuleReader(Socket sock) : sock_(std::move(sock)) {}
    Socket sock_;
    std::uint32_t seq_ = 0;
};

// Whether the iptables tool at `path` is the nf_tables flavour (xtables-nft-multi).
bool is_iptables_nft(const std::string& path);

}  // namespace netlib::nat
