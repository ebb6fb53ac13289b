#pragma once
// Parsers for the values of `netrun net` options that become CNI capability args or
// runtime parameters. Each returns an error naming the option and the bad text.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "netlib/cni/skel.hpp"
#include "netlib/error.hpp"

namespace netrun::net {

// -p [hostIP:]HOST:CTR[/tcp|udp|sctp] -> {"hostPort","containerPort","protocol"[,"hostIP"]}
// (the portMappings capability, CONVENTIONS.md). An IPv6 hostIP goes in brackets:
// [::1]:8080:80. Protocol defaults to tcp.
netlib::Expected<nlohmann::json> parse_port_mapping(std::string_view spec);
// The same with ranges, as docker's -p: [hostIP:]H1-H2:C1-C2[/proto] -> one mapping per
// port (ranges of equal length), returned as a JSON array.
netlib::Expected<nlohmann::json> parse_publish(std::string_view spec);

// --valid ID:IFNAME
netlib::Expected<netlib::cni::Attachment> parse_attachment(std::string_view spec);

// --args K=V;K=V (empty pairs are skipped).
netlib::Expected<std::vector<std::pair<std::string, std::string>>> parse_args_option(std::string_view spec);

// --ip ADDR[/PREFIX]: returned as given when it parses.
netlib::Expected<std::string> parse_ip_option(std::string_view spec);

// --mac aa:bb:cc:dd:ee:ff (any case), returned lower-cased.
netlib::Expected<std::string> parse_mac_option(std::string_view spec);

// --cap NAME=JSON
netlib::Expected<std::pair<std::string, nlohmann::json>> parse_capability_option(std::string_view spec);

}  // namespace netrun::net
