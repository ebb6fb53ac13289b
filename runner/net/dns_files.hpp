#pragma once
// The per-container /etc/hosts, /etc/hostname and /etc/resolv.conf, by docker's rules. Pure
// text in, text out; the runner reads the host's files and bind-mounts the results.
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "netlib/error.hpp"

namespace netrun::net {

struct DnsOptions {  // --dns, --dns-search, --dns-option
    std::vector<std::string> servers, search, options;
};
struct HostEntry {  // --add-host NAME:ADDR
    std::string name, address;
};
enum class NetKind { None, Host, Private };  // Private: bridge/macvlan/ipvlan/named/container:

// "name:addr" or "name=addr" (IPv6 as "name:[::1]" or "name:::1"); addr "host-gateway" is
// `gateway` (an error when empty: this network mode has none). Errors name the option.
netlib::Expected<HostEntry> parse_add_host(std::string_view spec, std::string_view gateway);
// --dns must be an IP address.
netlib::Expected<std::string> parse_dns_server(std::string_view spec);

// Host mode: the host's file (with --dns* overriding). Otherwise the host's nameservers
// minus loopback ones (127.0.0.0/8, ::1); none left: 8.8.8.8 and 8.8.4.4 (plus Google's
// IPv6 pair when `ipv6`). --dns replaces nameservers, --dns-search the search list ("."
// clears it), --dns-option the options.
std::string resolv_conf(std::string_view host_resolv, const DnsOptions& o, NetKind kind, bool ipv6);
// /etc/resolv.conf, or systemd-resolved's upstream file when the host's only nameserver is
// its 127.0.0.53 stub (docker does the same).
std::string host_resolv_conf_path(
    const std::function<std::optional<std::string>(const std::string&)>& read);

// localhost lines, --add-host entries, then "<addr>\t<hostname>[\t<name>]" per address.
// Host mode: the host's hosts file followed by the --add-host entries.
std::string hosts_file(std::string_view hostname, std::string_view container_name,
                       std::span<const std::string> addresses, std::span<const HostEntry> add_hosts,
                       NetKind kind, std::string_view host_hosts);
std::string hostname_file(std::string_view hostname);

}  // namespace netrun::net
