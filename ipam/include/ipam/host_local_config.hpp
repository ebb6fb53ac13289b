#pragma once
// The host-local plugin's view of a request: range sets, requested addresses, routes,
// where leases live and where DNS comes from.
#include <string>
#include <vector>

#include "ipam/range.hpp"
#include "netlib/cni/skel.hpp"
#include "netlib/cni/types.hpp"
#include "netlib/error.hpp"

namespace ipam {

inline constexpr const char* kDefaultDataDir = "/var/lib/cni/networks";

// Where the leases of one network live; all DEL and GC need.
struct StoreConfig {
    std::string data_dir = kDefaultDataDir;
    std::string network;  // config "name"
};

struct HostLocalConfig {
    StoreConfig store;
    // runtimeConfig.ipRanges, then legacy top-level subnet, then ipam.ranges; disjoint.
    std::vector<RangeSet> ranges;
    // CNI_ARGS IP= (comma list), args.cni.ips, runtimeConfig.ips, merged, duplicates dropped.
    std::vector<ip::Addr> requested;
    std::vector<netlib::cni::Route> routes;
    std::string resolv_conf;  // empty: no dns in the result
};

// Full validation (ADD, CHECK, STATUS). Errors are InvalidConfig (7).
netlib::Expected<HostLocalConfig> load_host_local_config(const netlib::cni::Request& req);

// Only what locating the store needs, so DEL and GC work even when the ranges are broken.
netlib::Expected<StoreConfig> load_store_config(const netlib::cni::Request& req);

}  // namespace ipam
