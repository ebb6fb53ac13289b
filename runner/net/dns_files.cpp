#include "net/dns_files.hpp"

#include <sstream>

#include "netlib/ip/addr.hpp"

namespace netrun::net {

using netlib::Code;
using netlib::fail;

namespace {

constexpr std::string_view kStub = "127.0.0.53";

struct Resolv {
    std::vector<std::string> servers, search, options;
};

Resolv parse_resolv(std::string_view text) {
    Resolv r;
    std::istringstream in{std::string(text)};
    for (std::string line; std::getline(in, line);) {
        std::istringstream words(line);
        std::string key;
        words >> key;
        std::vector<std::string> rest;
        for (std::string w; words >> w;) rest.push_back(w);
        if (key == "nameserver" && !rest.empty())
            r.servers.push_back(rest[0]);
        else if (key == "search" || key == "domain")
            r.search = rest;  // the last one wins (resolver)
        else if (key == "options")
            r.options.insert(r.options.end(), rest.begin(), rest.end());
    }
    return r;
}

bool is_loopback(const std::string& server) {
    auto a = netlib::ip::Addr::parse(server.substr(0, server.find('%')));
    return a && a->is_loopback();
}

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
    return out;
}

}  // namespace

netlib::Expected<HostEntry> parse_add_host(std::string_view spec, std::string_view gateway) {
    const auto sep = spec.find_first_of(":=");
    if (sep == std::string_view::npos || sep == 0 || sep + 1 == spec.size())
        return fail(Code::InvalidConfig, "--add-host " + std::string(spec) + ": want NAME:IP");
    HostEntry e{std::string(spec.substr(0, sep)), std::string(spec.substr(sep + 1))};
    if (e.address.size() > 2 && e.address.front() == '[' && e.address.back() == ']')
        e.address = e.address.substr(1, e.address.size() - 2);
    if (e.address == "host-gateway") {
        if (gateway.empty())
            return fail(Code::InvalidConfig,
                        "--add-host " + std::string(spec) +
                            ": this network has no gateway to stand for host-gateway");
        e.address = std::string(gateway);
    }
    if (!netlib::ip::Addr::parse(e.address))
        return fail(Code::InvalidConfig, "--add-host " + std::string(spec) + ": \"" + e.address +
                                             "\" is not an IP address (or host-gateway)");
    if (e.name.find_first_of(" \t") != std::string::npos)
        return fail(Code::InvalidConfig,
                    "--add-host " + std::string(spec) + ": the name has blanks");
    return e;
}

netlib::Expected<std::string> parse_dns_server(std::string_view spec) {
    if (!netlib::ip::Addr::parse(spec))
        return fail(Code::InvalidConfig, "--dns " + std::string(spec) + ": not an IP address");
    return std::string(spec);
}

std::string resolv_conf(std::string_view host_resolv, const DnsOptions& o, NetKind kind,
                        bool ipv6) {
    Resolv r = parse_resolv(host_resolv);
    if (kind != NetKind::Host) {
        std::erase_if(r.servers, is_loopback);
        if (r.servers.empty()) {
            r.servers = {"8.8.8.8", "8.8.4.4"};
            if (ipv6)
                r.servers.insert(r.servers.end(), {"2001:4860:4860::8888", "2001:4860:4860::8844"});
        }
    }
    if (!o.servers.empty()) r.servers = o.servers;
    if (!o.search.empty())
        r.search =
            o.search.size() == 1 && o.search[0] == "." ? std::vector<std::string>{} : o.search;
    if (!o.options.empty()) r.options = o.options;
    std::string out;
    if (!r.search.empty()) out += "search " + join(r.search) + "\n";
    for (const auto& s : r.servers) out += "nameserver " + s + "\n";
    if (!r.options.empty()) out += "options " + join(r.options) + "\n";
    return out;
}

std::string host_resolv_conf_path(
    const std::function<std::optional<std::string>(const std::string&)>& read) {
    const std::string etc = "/etc/resolv.conf", resolved = "/run/systemd/resolve/resolv.conf";
    auto text = read(etc);
    if (!text) return etc;
    const auto servers = parse_resolv(*text).servers;
    const bool stub_only =
        !servers.empty() &&
        std::all_of(servers.begin(), servers.end(), [](const auto& s) { return s == kStub; });
    return stub_only && read(resolved) ? resolved : etc;
}

std::string hosts_file(std::string_view hostname, std::string_view container_name,
                       std::span<const std::string> addresses, std::span<const HostEntry> add_hosts,
                       NetKind kind, std::string_view host_hosts) {
    std::string out;
    if (kind == NetKind::Host) {
        out = std::string(host_hosts);
        if (!out.empty() && out.back() != '\n') out += "\n";
    } else {
        out =
            "127.0.0.1\tlocalhost\n"
            "::1\tlocalhost ip6-localhost ip6-loopback\n"
            "fe00::0\tip6-localnet\n"
            "ff00::0\tip6-mcastprefix\n"
            "ff02::1\tip6-allnodes\n"
            "ff02::2\tip6-allrouters\n";
    }
    for (const auto& h : add_hosts) out += h.address + "\t" + h.name + "\n";
    if (kind == NetKind::Host) return out;
    for (const auto& a : addresses) {
        out += a + "\t" + std::string(hostname);
        if (!container_name.empty() && container_name != hostname)
            out += "\t" + std::string(container_name);
        out += "\n";
    }
    return out;
}

std::string hostname_file(std::string_view hostname) {
    return std::string(hostname) + "\n";
}

}  // namespace netrun::net
