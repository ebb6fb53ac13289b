#include "e2e_fixture.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "netlib/netns/netns.hpp"

namespace e2e {

using nlohmann::json;

namespace {

const std::string kRoot = "/run/e2e-root", kState = "/run/e2e-state";
const std::string kOutsideName = "e2e-outside";

}  // namespace

netrun_test::ProcessResult nr(std::vector<std::string> args, int timeout_ms) {
    args.insert(args.begin(), netrun_test::plugin_path("netrun"));
    netrun_test::ProcessOptions o;
    o.inherit_env = true;
    // The user's network dir too: `netrun network create` writes there, not /etc/cni/net.d.
    o.env = {{"NETRUN_ROOT", kRoot},
             {"NETRUN_STATE", kState},
             {"NETRUN_CNI_CONF_DIR", "/run/e2e-cni-conf"}};
    o.timeout = std::chrono::milliseconds(timeout_ms);
    return netrun_test::run_process(args, o);
}

json inspect(const std::string& name) {
    auto r = nr({"inspect", name});
    auto j = json::parse(r.out, nullptr, false);
    return j.is_array() && !j.empty() ? j[0] : json();
}

std::string container_ip(const std::string& name) {
    auto j = inspect(name);
    if (!j.is_object() || !j.contains("networkSettings")) return {};
    return j["networkSettings"].value("ipAddress", "");
}

std::optional<std::string> sh(const std::string& cmd, const std::string& netns) {
    netrun_test::ProcessOptions o;
    o.inherit_env = true;
    o.netns = netns;
    auto r = netrun_test::run_process({"sh", "-c", cmd}, o);
    if (!r.ok()) return std::nullopt;
    return r.out;
}

namespace {

// One HTTP/1.0 GET over a socket made in `netns` (a socket keeps the netns it was created
// in); nullopt unless the answer is a 200. busybox-static's wget crashes in glibc's NSS on
// some hosts, and curl is not everywhere: the test speaks the little HTTP it needs itself.
std::optional<std::string> http_get_once(const std::string& netns, const std::string& addr,
                                         int port) {
    std::optional<std::string> out;
    std::thread t([&] {
        std::optional<netlib::netns::Scope> scope;
        if (!netns.empty()) {
            auto ns = netlib::netns::Netns::open(netns);
            if (!ns) return;
            auto s = netlib::netns::Scope::enter(*ns);
            if (!s) return;
            scope.emplace(std::move(*s));
        }
        const bool v6 = addr.find(':') != std::string::npos;
        int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) return;
        timeval tv{2, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        sockaddr_storage ss{};
        socklen_t len = 0;
        if (v6) {
            auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
            a->sin6_family = AF_INET6;
            a->sin6_port = htons(static_cast<uint16_t>(port));
            ::inet_pton(AF_INET6, addr.c_str(), &a->sin6_addr);
            len = sizeof *a;
        } else {
            auto* a = reinterpret_cast<sockaddr_in*>(&ss);
            a->sin_family = AF_INET;
            a->sin_port = htons(static_cast<uint16_t>(port));
            ::inet_pton(AF_INET, addr.c_str(), &a->sin_addr);
            len = sizeof *a;
        }
        std::string reply;
        if (::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0) {
            const std::string req = "GET / HTTP/1.0\r\nHost: " + addr + "\r\n\r\n";
            if (::write(fd, req.data(), req.size()) == static_cast<ssize_t>(req.size())) {
                char buf[4096];
                for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;)
                    reply.append(buf, static_cast<size_t>(n));
            }
        }
        ::close(fd);
        const auto body = reply.find("\r\n\r\n");
        if (reply.starts_with("HTTP/1.") && reply.find(" 200 ") == 8 && body != std::string::npos)
            out = reply.substr(body + 4);
    });
    t.join();
    return out;
}

}  // namespace

std::optional<std::string> http_get(const std::string& netns, const std::string& addr, int port) {
    for (int i = 0; i < 10; ++i) {
        if (auto body = http_get_once(netns, addr, port)) return body;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return std::nullopt;
}

std::optional<std::string> http_get_now(const std::string& netns, const std::string& addr,
                                        int port) {
    return http_get_once(netns, addr, port);
}

std::string leftovers(const std::string& id, const std::string& name) {
    std::ostringstream out;
    if (::access(("/run/netns/netrun-" + name).c_str(), F_OK) == 0)
        out << "pin /run/netns/netrun-" << name << "\n";
    const std::pair<const char*, std::string> probes[] = {
        {"cache entry", "grep -l " + id + " /var/lib/cni/results/* 2>/dev/null"},
        {"lease", "grep -rl " + id + " /var/lib/cni/networks 2>/dev/null"},
        {"port record", "grep -rl " + id + " /var/lib/cni/netrun-portmap 2>/dev/null"},
        {"iptables", "iptables-save 2>/dev/null | grep -F " + id.substr(0, 12) +
                         "; ip6tables-save 2>/dev/null | grep -F " + id.substr(0, 12)},
        {"nftables", "nft list ruleset 2>/dev/null | grep -F " + id.substr(0, 12)},
    };
    for (const auto& [what, cmd] : probes)
        if (auto r = sh(cmd + "; true"); r && !r->empty()) out << what << ": " << *r;
    return out.str();
}

int bridge_ports(int want) {
    int n = -1;
    for (int i = 0; i < 50; ++i) {
        n = std::atoi(
            sh("ip -o link show master netrun0 2>/dev/null | wc -l").value_or("-1").c_str());
        if (n == want) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return n;
}

void remove_all_containers() {
    auto ps = nr({"ps", "-a"});
    std::istringstream in(ps.out);
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line))
        if (line.size() > 12) nr({"rm", "-f", line.substr(0, 12)});
}

void World::SetUp() {
    const std::string o = outside();
    const std::string cmd = "set -e; ip netns add " + kOutsideName +
                            "; ip link add uplink0 type veth peer name eth0 netns " + kOutsideName +
                            "; ip addr add " + kHostIp +
                            "/24 dev uplink0; ip link set uplink0 up"
                            "; ip route add default via " +
                            kOutsideIp + "; ip -n " + kOutsideName + " addr add " + kOutsideIp +
                            "/24 dev eth0"
                            "; ip -n " +
                            kOutsideName + " link set eth0 up; ip -n " + kOutsideName +
                            " link set lo up";
    ASSERT_TRUE(sh(cmd)) << cmd;
    (void)o;
}

void World::TearDown() {
    remove_all_containers();
    (void)sh("ip netns del " + kOutsideName + "; ip link del uplink0 2>/dev/null; true");
}

const std::string& World::outside() {
    static const std::string path = "/run/netns/" + kOutsideName;
    return path;
}

struct PeerEcho::Impl {
    std::atomic<bool> stop{false};
    std::thread thread;
};

PeerEcho::PeerEcho(int port) : impl_(new Impl) {
    std::thread make([&] {  // the socket belongs to the netns it is created in
        auto ns = netlib::netns::Netns::open(World::outside());
        if (!ns) return;
        auto scope = netlib::netns::Scope::enter(*ns);
        if (!scope) return;
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int one = 1;
        ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<uint16_t>(port));
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 16) != 0) {
            ::close(fd_);
            fd_ = -1;
        }
    });
    make.join();
    if (fd_ < 0) {
        ADD_FAILURE() << "peer echo server on port " << port << " could not start";
        return;
    }
    impl_->thread = std::thread([this] {
        while (!impl_->stop) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0) continue;
            sockaddr_in peer{};
            socklen_t len = sizeof peer;
            int c = ::accept4(fd_, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC);
            if (c < 0) continue;
            char text[INET_ADDRSTRLEN] = {};
            ::inet_ntop(AF_INET, &peer.sin_addr, text, sizeof text);
            // Enough of HTTP for wget: the body is the peer's address.
            std::string body = std::string(text) + "\n";
            std::string reply =
                "HTTP/1.0 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
                body;
            char req[1024];
            (void)::recv(c, req, sizeof req, 0);
            (void)!::write(c, reply.data(), reply.size());
            ::close(c);
        }
    });
}

PeerEcho::~PeerEcho() {
    impl_->stop = true;
    if (impl_->thread.joinable()) impl_->thread.join();
    if (fd_ >= 0) ::close(fd_);
    delete impl_;
}

}  // namespace e2e
