#pragma once
// The static IPAM plugin's configuration: fixed addresses, routes and dns.
#include <vector>

#include "netlib/cni/skel.hpp"
#include "netlib/cni/types.hpp"
#include "netlib/error.hpp"

namespace ipam {

struct StaticConfig {
    std::vector<netlib::cni::IpConfig> addresses;  // interface unset (IPAM results have none)
    std::vector<netlib::cni::Route> routes;
    netlib::cni::Dns dns;
};

// ipam.addresses [{address: CIDR, gateway?}], then CNI_ARGS IP= (comma-separated CIDRs,
// appended) and GATEWAY= (comma-separated, set on every address whose subnet contains it);
// args.cni.ips, and above it runtimeConfig.ips, replace the whole list. Errors are 7.
netlib::Expected<StaticConfig> load_static_config(const netlib::cni::Request& req);

}  // namespace ipam
