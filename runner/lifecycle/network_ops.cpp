#include "network_ops.hpp"

#include <cstdio>

#include "net/container_network.hpp"
#include "net/dns_files.hpp"
#include "net/port_spec.hpp"
#include "netlib/sys/files.hpp"
#include "trace.hpp"

namespace netrun::lifecycle {

using netlib::Code;
using netlib::Expected;
using netlib::fail;

namespace {

constexpr const char* kDnsFiles[] = {"hosts", "hostname", "resolv.conf"};

net::NetKind kind_of(net::NetMode m) {
    return m == net::NetMode::Host   ? net::NetKind::Host
           : m == net::NetMode::None ? net::NetKind::None
                                     : net::NetKind::Private;
}

std::string read_or_empty(const std::string& path) {
    return netlib::sys::read_file(path).value_or("");
}

Expected<> write_dns_files(const RunOptions& o, const StateStore& states, const ContainerState& s,
                           net::NetMode mode, std::span<const std::string> addresses,
                           const std::string& gateway) {
    const std::string dir = states.dir_of(s.id);
    std::vector<net::HostEntry> hosts;
    for (const auto& h : o.add_hosts) hosts.push_back(NETLIB_TRY(net::parse_add_host(h, gateway)));
    net::DnsOptions dns{{}, o.dns_search, o.dns_options};
    for (const auto& d : o.dns) dns.servers.push_back(NETLIB_TRY(net::parse_dns_server(d)));
    const auto host_resolv =
        net::host_resolv_conf_path([](const std::string& p) -> std::optional<std::string> {
            auto t = netlib::sys::read_file(p);
            return t ? std::optional<std::string>(*t) : std::nullopt;
        });
    bool ipv6 = false;
    for (const auto& a : addresses) ipv6 = ipv6 || a.find(':') != std::string::npos;
    const auto kind = kind_of(mode);
    NETLIB_TRYV(netlib::sys::write_file_atomic(
        dir + "/hosts",
        net::hosts_file(s.hostname, s.name, addresses, hosts, kind, read_or_empty("/etc/hosts")),
        0644));
    NETLIB_TRYV(
        netlib::sys::write_file_atomic(dir + "/hostname", net::hostname_file(s.hostname), 0644));
    return netlib::sys::write_file_atomic(
        dir + "/resolv.conf", net::resolv_conf(read_or_empty(host_resolv), dns, kind, ipv6), 0644);
}

}  // namespace

Expected<NetworkSetup> prepare_network(StateStore& states, const RunOptions& o) {
    NetworkSetup n;
    if (!o.ip.empty()) (void)NETLIB_TRY(net::parse_ip_option(o.ip));
    const std::string mac =
        o.mac.empty() ? std::string() : NETLIB_TRY(net::parse_mac_option(o.mac));
    n.plan = NETLIB_TRY(net::plan_networks(o.nets, o.publish, o.ip, mac));
    for (const auto& d : o.dns) (void)NETLIB_TRY(net::parse_dns_server(d));
    for (const auto& h : o.add_hosts)  // host-gateway is checked once the gateway is known
        if (!h.ends_with("host-gateway")) (void)NETLIB_TRY(net::parse_add_host(h, ""));
    if (n.plan.mode != net::NetMode::Container) return n;
    auto conflict = [](const std::string& what) {
        return fail(Code::InvalidConfig,
                    "conflicting options: " + what + " and the container network mode");
    };
    if (!o.hostname.empty()) return conflict("--hostname");
    if (!o.dns.empty() || !o.dns_search.empty() || !o.dns_options.empty()) return conflict("--dns");
    if (!o.add_hosts.empty()) return conflict("--add-host");
    if (o.userns_auto)
        return fail(Code::InvalidConfig,
                    "--userns=auto cannot join another container's network namespace (it "
                    "belongs to a different user namespace)");
    auto target = states.find(n.plan.container);
    if (!target)
        return fail(Code::InvalidConfig,
                    "--net container:" + n.plan.container + ": no such container");
    auto t = reconcile(states, *target);
    if (t.status != "running")
        return fail(Code::InvalidConfig,
                    "--net container:" + n.plan.container +
                        ": cannot join the network of a container that is not running");
    n.target_pid = t.pid;
    n.target_state = states.dir_of(t.id);
    return n;
}

void apply_network(const NetworkSetup& n, const StateStore& states, const ContainerState& s,
                   sandbox::Spec& spec) {
    const std::string dir =
        n.plan.mode == net::NetMode::Container ? n.target_state : states.dir_of(s.id);
    switch (n.plan.mode) {
        case net::NetMode::Host:
            spec.net = sandbox::NetMode::Host;
            break;
        case net::NetMode::Container:
            spec.net = sandbox::NetMode::Netns;
            spec.netns_path = "/proc/" + std::to_string(n.target_pid) + "/ns/net";
            break;
        default:
            spec.net = sandbox::NetMode::None;
            break;  // a new netns, attached by the hook
    }
    for (const char* f : kDnsFiles)
        spec.volumes.push_back({dir + "/" + f, std::string("/etc/") + f, false});
}

Expected<> write_static_dns_files(const NetworkSetup& n, const RunOptions& o,
                                  const StateStore& states, const ContainerState& s) {
    if (n.plan.mode == net::NetMode::Container || n.plan.mode == net::NetMode::Cni) return {};
    return write_dns_files(o, states, s, n.plan.mode, {}, "");
}

sandbox::BeforeStart attach_hook(const NetworkSetup& n, const RunOptions& o, StateStore& states,
                                 ContainerState& s) {
    if (n.plan.mode != net::NetMode::Cni && n.plan.mode != net::NetMode::None) return {};
    return [&n, &o, &states, &s](pid_t pid) -> Expected<> {
        trace("hook: attach");
        const auto runtime = net::default_runtime();
        auto attached = NETLIB_TRY(net::attach_networks(runtime, n.plan, s.id, s.name, pid));
        trace("hook: attached");
        s.network = net::to_json(attached);
        s.netns = attached.netns;
        auto saved = states.save(s);
        auto files = saved ? write_dns_files(o, states, s, n.plan.mode, attached.addresses(),
                                             attached.gateway())
                           : saved;
        if (!files) {
            (void)net::detach_networks(runtime, attached, s.id);
            s.network["released"] = true;
            (void)states.save(s);
            return files;
        }
        return {};
    };
}

bool network_attached(const ContainerState& s) {
    return s.network.is_object() && !s.network.value("released", false);
}

Expected<> release_network(StateStore& states, ContainerState& s) {
    if (!network_attached(s)) return {};
    // The monitor (container exit), `rm -f` and `ps` may all get here; one detaches.
    auto lock = netlib::sys::FileLock::acquire(states.dir_of(s.id) + "/network.lock");
    if (auto fresh = states.find(s.id); fresh && lock) s.network = fresh->network;
    if (!network_attached(s)) return {};
    // Every caller comes here once the container's processes are gone (its PID 1 reaped or
    // found dead): only a still running one would keep the netns alive after the unpin.
    const bool gone = s.pid <= 0 || !process_alive(s.pid, s.start_time);
    auto r =
        net::detach_networks(net::default_runtime(), net::network_from_json(s.network), s.id, gone);
    if (!r) {
        std::fprintf(stderr, "netrun: %s (the next `netrun rm` or `netrun gc` retries)\n",
                     r.error().msg.c_str());
        return r;
    }
    s.network["released"] = true;
    return lock ? states.save(s) : Expected<>{};
}

nlohmann::json network_settings(const ContainerState& s) {
    using nlohmann::json;
    const auto n = net::network_from_json(s.network);
    json networks = json::object();
    for (const auto& a : n.attachments) {
        json ips = json::array();
        std::string gateway, mac;
        for (const auto& ip : a.result.value("ips", json::array())) {
            ips.push_back(ip.value("address", ""));
            if (gateway.empty()) gateway = ip.value("gateway", "");
        }
        for (const auto& i : a.result.value("interfaces", json::array()))
            if (i.value("name", "") == a.ifname && i.contains("sandbox")) mac = i.value("mac", "");
        networks[a.network] = {
            {"ifName", a.ifname}, {"ipAddresses", ips}, {"gateway", gateway}, {"macAddress", mac}};
    }
    const auto addrs = n.addresses();
    return {{"mode", s.net},
            {"sandboxKey", n.netns},
            {"attached", network_attached(s)},
            {"ipAddress", addrs.empty() ? "" : addrs.front()},
            {"gateway", n.gateway()},
            {"ports", n.ports},
            {"networks", networks}};
}

std::string ports_text(const ContainerState& s) {
    std::string out;
    for (const auto& m : net::network_from_json(s.network).ports) {
        std::string ip = m.value("hostIP", "0.0.0.0");
        if (ip.find(':') != std::string::npos) ip = "[" + ip + "]";
        out += (out.empty() ? "" : ", ") + ip + ":" + std::to_string(m.value("hostPort", 0)) +
               "->" + std::to_string(m.value("containerPort", 0)) + "/" +
               m.value("protocol", "tcp");
    }
    return out;
}

}  // namespace netrun::lifecycle
