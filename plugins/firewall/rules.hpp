#pragma once
// The filter-table rules of the reference firewall plugin, spelled the way iptables-save
// prints them so existing rules (ours or the reference's) are recognised word for word:
//   FORWARD      -> CNI-FORWARD (first), CNI-FORWARD -> <admin chain> (first, never flushed)
//   CNI-FORWARD  -d <ip> conntrack RELATED,ESTABLISHED ACCEPT; -s <ip> ACCEPT   (per container IP)
//   same-bridge/isolated: CNI-ISOLATION-STAGE-1/2 keyed on the bridge name.
#include <string>
#include <vector>

#include "config.hpp"
#include "netlib/ip/addr.hpp"

namespace firewall {

inline constexpr const char* kForwardChain = "CNI-FORWARD";
inline constexpr const char* kStage1 = "CNI-ISOLATION-STAGE-1";
inline constexpr const char* kStage2 = "CNI-ISOLATION-STAGE-2";

struct Rule {
    std::string chain;
    std::vector<std::string> words;  // spec after "-A <chain>"
    bool first = false;              // inserted at position 1 rather than appended
};

std::vector<std::string> chains_needed(const Config& c, bool isolation);
// Jumps FORWARD -> CNI-FORWARD -> admin chain.
std::vector<Rule> jump_rules(const Config& c);
std::vector<Rule> container_rules(const std::vector<netlib::ip::Addr>& ips);
// Empty for ingressPolicy open. Order matters: applied in sequence, "first" rules inserted at 1.
std::vector<Rule> isolation_rules(const Config& c, const std::string& bridge);

}  // namespace firewall
