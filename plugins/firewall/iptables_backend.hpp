#pragma once
// Applies firewall rules with one iptables-restore batch per family and operation, after
// reading the table once with iptables-save so only missing rules are added and only
// present rules are deleted (a batch is atomic: one bad line would fail all of it).
#include <string>
#include <vector>

#include "config.hpp"
#include "netlib/error.hpp"
#include "netlib/ip/addr.hpp"
#include "netlib/nat/iptables_exec.hpp"

namespace firewall {

struct Target {
    std::vector<netlib::ip::Addr> ips;  // the container's addresses (prevResult)
    std::string bridge;                 // prevResult interfaces[0].name, for ingressPolicy
};

class IptablesBackend {
  public:
    explicit IptablesBackend(Config cfg) : cfg_(std::move(cfg)) {}
    netlib::Expected<> add(const Target& t) const;
    netlib::Expected<> del(const Target& t) const;
    // CheckFailed (106) naming the first missing rule.
    netlib::Expected<> check(const Target& t) const;

  private:
    Config cfg_;
    netlib::nat::Iptables ipt_;
};

}  // namespace firewall
