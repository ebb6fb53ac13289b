#pragma once
// resolv.conf -> CNI dns (host-local "resolvConf" key): nameserver, domain, search, options.
#include <string>
#include <string_view>

#include "netlib/cni/types.hpp"
#include "netlib/error.hpp"

namespace ipam {

// Comments (# ;) and unknown keywords are ignored; "domain" keeps the last one seen.
netlib::cni::Dns parse_resolv_conf(std::string_view text);

// Reads and parses `path`; a missing or unreadable file is an error naming the key.
netlib::Expected<netlib::cni::Dns> load_resolv_conf(const std::string& path);

}  // namespace ipam
