#include "net/port_spec.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "netlib/ip/addr.hpp"

namespace netrun::net {

using netlib::Code;
using netlib::fail;
using nlohmann::json;

namespace {

netlib::Expected<int> parse_port(std::string_view text, std::string_view what, std::string_view spec) {
    int port = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || port < 1 || port > 65535)
        return fail(Code::InvalidConfig, "-p " + std::string(spec) + ": " + std::string(what) +
                                             " port \"" + std::string(text) + "\" is not a number in 1-65535");
    return port;
}

// Split "[v6]:rest" or "v4:rest" / "rest" into (hostIP, rest).
netlib::Expected<std::pair<std::string, std::string_view>> split_host_ip(std::string_view s, std::string_view spec) {
    auto bad = [&](std::string why) { return fail(Code::InvalidConfig, "-p " + std::string(spec) + ": " + why); };
    std::string ip;
    if (s.starts_with('[')) {
        auto close = s.find("]:");
        if (close == std::string_view::npos) return bad("want [IPv6]:HOST:CTR");
        ip = std::string(s.substr(1, close - 1));
        s.remove_prefix(close + 2);
    } else if (std::ranges::count(s, ':') == 2) {
        auto colon = s.find(':');
        ip = std::string(s.substr(0, colon));
        s.remove_prefix(colon + 1);
    }
    if (!ip.empty() && !netlib::ip::Addr::parse(ip)) return bad("invalid host IP \"" + ip + "\"");
    return std::pair{ip, s};
}

}  // namespace

namespace {

// "N" or "N-M" (M >= N) -> [first, last].
netlib::Expected<std::pair<int, int>> parse_port_range(std::string_view text, std::string_view what,
                                                       std::string_view spec) {
    const auto dash = text.find('-');
    const int first = NETLIB_TRY(parse_port(text.substr(0, dash), what, spec));
    if (dash == std::string_view::npos) return std::pair{first, first};
    const int last = NETLIB_TRY(parse_port(text.substr(dash + 1), what, spec));
    if (last < first)
        return fail(Code::InvalidConfig, "-p " + std::string(spec) + ": " + std::string(what) +
                                             " port range \"" + std::string(text) + "\" runs backwards");
    return std::pair{first, last};
}

}  // namespace

netlib::Expected<json> parse_publish(std::string_view spec) {
    std::string_view rest = spec;
    std::string proto = "tcp";
    if (auto slash = rest.rfind('/'); slash != std::string_view::npos) {
        proto = std::string(rest.substr(slash + 1));
        std::ranges::transform(proto, proto.begin(), [](unsigned char c) { return std::tolower(c); });
        rest = rest.substr(0, slash);
        if (proto != "tcp" && proto != "udp" && proto != "sctp")
            return fail(Code::InvalidConfig, "-p " + std::string(spec) + ": protocol must be tcp, udp or sctp");
    }
    auto [ip, ports] = NETLIB_TRY(split_host_ip(rest, spec));
    auto colon = ports.find(':');
    if (colon == std::string_view::npos)
        return fail(Code::InvalidConfig, "-p " + std::string(spec) +
                                             ": give the host port too, as HOST:CTR (netrun does not pick "
                                             "a random host port)");
    if (ports.find(':', colon + 1) != std::string_view::npos)
        return fail(Code::InvalidConfig, "-p " + std::string(spec) + ": want [hostIP:]HOST:CTR[/tcp|udp|sctp]");
    const auto host = NETLIB_TRY(parse_port_range(ports.substr(0, colon), "host", spec));
    const auto ctr = NETLIB_TRY(parse_port_range(ports.substr(colon + 1), "container", spec));
    if (host.second - host.first != ctr.second - ctr.first)
        return fail(Code::InvalidConfig, "-p " + std::string(spec) +
                                             ": the host and container port ranges must have the same length");
    json out = json::array();
    for (int i = 0; i <= host.second - host.first; ++i) {
        json m{{"hostPort", host.first + i}, {"containerPort", ctr.first + i}, {"protocol", proto}};
        if (!ip.empty()) m["hostIP"] = ip;
        out.push_back(std::move(m));
    }
    return out;
}

netlib::Expected<json> parse_port_mapping(std::string_view spec) {
    auto all = NETLIB_TRY(parse_publish(spec));
    if (all.size() != 1)
        return fail(Code::InvalidConfig, "-p " + std::string(spec) + ": one port here, not a range");
    return all[0];
}

netlib::Expected<netlib::cni::Attachment> parse_attachment(std::string_view spec) {
    auto colon = spec.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == spec.size())
        return fail(Code::InvalidConfig, "--valid " + std::string(spec) + ": want CONTAINERID:IFNAME");
    return netlib::cni::Attachment{std::string(spec.substr(0, colon)), std::string(spec.substr(colon + 1))};
}

netlib::Expected<std::vector<std::pair<std::string, std::string>>> parse_args_option(std::string_view spec) {
    std::vector<std::pair<std::string, std::string>> out;
    std::string_view rest = spec;
    while (!rest.empty()) {
        auto semi = rest.find(';');
        auto pair = rest.substr(0, semi);
        rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
        if (pair.empty()) continue;
        auto eq = pair.find('=');
        if (eq == std::string_view::npos || eq == 0)
            return fail(Code::InvalidConfig, "--args: \"" + std::string(pair) + "\" is not KEY=VALUE");
        out.emplace_back(std::string(pair.substr(0, eq)), std::string(pair.substr(eq + 1)));
    }
    return out;
}

netlib::Expected<std::string> parse_ip_option(std::string_view spec) {
    if (netlib::ip::Net::parse_or_host(spec)) return std::string(spec);
    return fail(Code::InvalidConfig, "--ip " + std::string(spec) + ": not an IP address or ADDRESS/PREFIX");
}

netlib::Expected<std::string> parse_mac_option(std::string_view spec) {
    std::string mac(spec);
    bool ok = mac.size() == 17;
    for (std::size_t i = 0; ok && i < mac.size(); ++i)
        ok = i % 3 == 2 ? mac[i] == ':' : std::isxdigit(static_cast<unsigned char>(mac[i])) != 0;
    if (!ok) return fail(Code::InvalidConfig, "--mac " + mac + ": want six hex pairs like 0a:58:0a:59:00:05");
    std::ranges::transform(mac, mac.begin(), [](unsigned char c) { return std::tolower(c); });
    return mac;
}

netlib::Expected<std::pair<std::string, json>> parse_capability_option(std::string_view spec) {
    auto eq = spec.find('=');
    if (eq == std::string_view::npos || eq == 0)
        return fail(Code::InvalidConfig, "--cap " + std::string(spec) + ": want NAME=JSON");
    auto value = json::parse(spec.substr(eq + 1), nullptr, false);
    if (value.is_discarded())
        return fail(Code::InvalidConfig, "--cap " + std::string(spec.substr(0, eq)) + ": value is not valid JSON");
    return std::pair{std::string(spec.substr(0, eq)), std::move(value)};
}

}  // namespace netrun::net
