#include "network_ops.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "net/container_network.hpp"
#include "net/dns_files.hpp"
#include "net/port_spec.hpp"
#include "netlib/netns/netns.hpp"
#include "netlib/sys/fd.hpp"
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

// Bind-mounted files must keep their inode once the container has mounted them: written in
// place then (`in_place`), else through a rename.
Expected<> write_file(const std::string& path, const std::string& text, bool in_place) {
    if (!in_place) return netlib::sys::write_file_atomic(path, text, 0644);
    netlib::sys::Fd fd(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
    if (!fd) return netlib::fail_errno(Code::Io, "open " + path, errno);
    for (std::string_view rest = text; !rest.empty();) {
        const ssize_t n = ::write(fd.get(), rest.data(), rest.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return netlib::fail_errno(Code::Io, "write " + path, errno);
        rest.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
}

Expected<> write_dns_files(const RunOptions& o, const StateStore& states, const ContainerState& s,
                           net::NetMode mode, std::span<const std::string> addresses,
                           const std::string& gateway, bool in_place = false) {
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
    NETLIB_TRYV(write_file(
        dir + "/hosts",
        net::hosts_file(s.hostname, s.name, addresses, hosts, kind, read_or_empty("/etc/hosts")),
        in_place));
    NETLIB_TRYV(write_file(dir + "/hostname", net::hostname_file(s.hostname), in_place));
    return write_file(dir + "/resolv.conf",
                      net::resolv_conf(read_or_empty(host_resolv), dns, kind, ipv6), in_place);
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
    // --userns=auto: the container's root binds the files itself and is not the host's root:
    // it needs search permission down to them (the files are 0644, the dirs stay unlistable).
    if (spec.userns_auto)
        for (std::string d = dir; d.size() > states.root().size(); d = d.substr(0, d.rfind('/')))
            ::chmod(d.c_str(), 0711);
    if (spec.userns_auto) ::chmod(states.root().c_str(), 0711);
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

Expected<sandbox::Launched> launch_with_network(const NetworkSetup& n, const RunOptions& o,
                                                StateStore& states, ContainerState& s,
                                                sandbox::Spec spec) {
    const bool own_netns = n.plan.mode == net::NetMode::Cni || n.plan.mode == net::NetMode::None;
    if (!own_netns || o.userns_auto) return sandbox::launch(spec, attach_hook(n, o, states, s));
    trace("netns: create");
    const std::string path = net::netns_path_for(s.name);
    NETLIB_TRYV(net::create_netns(path));
    const std::string dir = states.dir_of(s.id);
    for (const char* f : kDnsFiles)  // the container binds them before they are filled
        if (auto r = netlib::sys::write_file_atomic(dir + "/" + f, "", 0644); !r) {
            (void)netlib::netns::remove_persistent(path);
            return std::unexpected(r.error());
        }
    int ready[2], result[2];
    if (::pipe2(ready, O_CLOEXEC) != 0) return netlib::fail_errno(Code::Kernel, "pipe", errno);
    if (::pipe2(result, O_CLOEXEC) != 0) {
        ::close(ready[0]), ::close(ready[1]);
        return netlib::fail_errno(Code::Kernel, "pipe", errno);
    }
    // A process, not a thread: launch() clones, and a clone of a multithreaded process could
    // inherit a malloc lock held by the other thread.
    const pid_t helper = ::fork();
    if (helper == 0) {
        ::signal(SIGPIPE, SIG_IGN);
        ::close(ready[0]), ::close(result[0]);
        const auto runtime = net::default_runtime();
        auto attached = net::attach_at(runtime, n.plan, s.id, path);
        Expected<> files = attached
                               ? write_dns_files(o, states, s, n.plan.mode, attached->addresses(),
                                                 attached->gateway(), /*in_place=*/true)
                               : Expected<>{};
        if (attached && !files) (void)net::detach_networks(runtime, *attached, s.id);
        const nlohmann::json out =
            attached && files
                ? nlohmann::json{{"network", net::to_json(*attached)}}
                : nlohmann::json{{"code", (attached ? files.error() : attached.error()).code},
                                 {"msg", (attached ? files.error() : attached.error()).msg}};
        const std::string text = out.dump();
        (void)!::write(result[1], text.data(), text.size());  // < PIPE_BUF: one write
        (void)!::write(ready[1], attached && files ? "1" : "0", 1);
        ::_exit(0);
    }
    ::close(ready[1]), ::close(result[1]);
    if (helper < 0) {
        ::close(ready[0]), ::close(result[0]);
        (void)netlib::netns::remove_persistent(path);
        return netlib::fail_errno(Code::Kernel, "fork the network helper", errno);
    }
    spec.net = sandbox::NetMode::Netns;
    spec.netns_path = path;
    spec.net_ready_fd = ready[0];
    auto launched = sandbox::launch(spec);
    ::close(ready[0]);
    std::string text;
    char buf[4096];
    for (ssize_t got; (got = ::read(result[0], buf, sizeof buf)) != 0;) {
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) break;
        text.append(buf, static_cast<std::size_t>(got));
    }
    ::close(result[0]);
    ::waitpid(helper, nullptr, 0);
    trace("hook: attached");
    const auto reply = nlohmann::json::parse(text, nullptr, false);
    if (!reply.is_object() || !reply.contains("network")) {
        if (launched) {  // cannot happen: it waits for our '1'; never leave it running
            ::kill(launched->pid, SIGKILL);
            (void)sandbox::wait_exit(*launched);
        }
        (void)netlib::netns::remove_persistent(path);
        if (!reply.is_object()) return fail(Code::Internal, "the network helper died");
        return std::unexpected(netlib::Error{reply.value("code", 999), reply.value("msg", ""), {}});
    }
    s.network = reply["network"];
    s.netns = path;
    (void)states.save(s);
    if (!launched) (void)release_network(states, s);
    return launched;
}

}  // namespace netrun::lifecycle
