#pragma once
// firewall's configuration (the reference's keys: backend, iptablesAdminChainName,
// ingressPolicy) plus our backend "nftables"; firewalld is refused.
#include <string>

#include "netlib/cni/skel.hpp"
#include "netlib/error.hpp"

namespace firewall {

enum class IngressPolicy { Open, SameBridge, Isolated };
enum class Backend { Iptables, Nftables };

struct Config {
    Backend backend = Backend::Iptables;
    std::string admin_chain = "CNI-ADMIN";
    IngressPolicy ingress = IngressPolicy::Open;
};

// InvalidConfig (7) for unknown backends/policies and bad chain names.
netlib::Expected<Config> parse_config(const netlib::cni::Request& req);

}  // namespace firewall
