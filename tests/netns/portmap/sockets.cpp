#include "sockets.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include "netrun_test/kernel_feature.hpp"

namespace pmtest {

namespace {

constexpr int kTimeoutMs = 1500;

int socket_in(const std::string& netns, int family, Proto proto, int flags = 0) {
    const int type = (proto == Proto::Udp ? SOCK_DGRAM : SOCK_STREAM) | flags;
    const int protocol = proto == Proto::Sctp ? IPPROTO_SCTP : 0;
    int self = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    int target = netns.empty() ? -1 : ::open(netns.c_str(), O_RDONLY | O_CLOEXEC);
    if (self < 0 || (!netns.empty() && target < 0)) throw std::runtime_error("open netns " + netns);
    if (target >= 0 && ::setns(target, CLONE_NEWNET) != 0)
        throw std::runtime_error("setns " + netns);
    int fd = ::socket(family, type | SOCK_CLOEXEC, protocol);
    const int err = errno;
    if (target >= 0 && ::setns(self, CLONE_NEWNET) != 0) std::abort();
    ::close(self);
    if (target >= 0) ::close(target);
    if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(err));
    return fd;
}

bool wait_for(int fd, short events) {
    pollfd p{fd, events, 0};
    return ::poll(&p, 1, kTimeoutMs) == 1;
}

sockaddr_storage make_addr(const std::string& addr, int port, socklen_t& len) {
    sockaddr_storage ss{};
    if (addr.find(':') == std::string::npos) {
        auto* s = reinterpret_cast<sockaddr_in*>(&ss);
        s->sin_family = AF_INET;
        s->sin_port = htons(static_cast<uint16_t>(port));
        ::inet_pton(AF_INET, addr.c_str(), &s->sin_addr);
        len = sizeof(sockaddr_in);
    } else {
        auto* s = reinterpret_cast<sockaddr_in6*>(&ss);
        s->sin6_family = AF_INET6;
        s->sin6_port = htons(static_cast<uint16_t>(port));
        ::inet_pton(AF_INET6, addr.c_str(), &s->sin6_addr);
        len = sizeof(sockaddr_in6);
    }
    return ss;
}

std::optional<std::string> ask(const std::string& netns, const std::string& addr, int port,
                               Proto proto) {
    const bool udp = proto == Proto::Udp;
    socklen_t len = 0;
    auto ss = make_addr(addr, port, len);
    int fd = socket_in(netns, ss.ss_family, proto, SOCK_NONBLOCK);
    std::optional<std::string> out;
    int r = ::connect(fd, reinterpret_cast<sockaddr*>(&ss), len);
    if (r == 0 || errno == EINPROGRESS) {
        int err = 0;
        socklen_t el = sizeof err;
        bool connected =
            udp || (wait_for(fd, POLLOUT) &&
                    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0);
        if (connected && (!udp || ::send(fd, "ping", 4, 0) == 4) && wait_for(fd, POLLIN)) {
            char buf[256];
            auto n = ::recv(fd, buf, sizeof buf, 0);
            if (n > 0) out = std::string(buf, static_cast<size_t>(n));
        }
    }
    ::close(fd);
    return out;
}

}  // namespace

Server::Server(const std::string& netns, int family, Proto proto, int port, std::string reply)
    : proto_(proto), reply_(std::move(reply)) {
    const bool udp = proto == Proto::Udp;
    fd_ = socket_in(netns, family, proto);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    socklen_t len = 0;
    auto ss = make_addr(family == AF_INET ? "0.0.0.0" : "::", port, len);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0 || (!udp && ::listen(fd_, 64) != 0))
        throw std::runtime_error("bind/listen " + std::to_string(port) + ": " +
                                 std::strerror(errno));
    thread_ = std::thread([this] { serve(); });
}

Server::~Server() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
}

void Server::serve() {
    while (!stop_) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 50) != 1) continue;
        if (proto_ == Proto::Udp) {
            char buf[64];
            sockaddr_storage from{};
            socklen_t fl = sizeof from;
            if (::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fl) > 0)
                ::sendto(fd_, reply_.data(), reply_.size(), 0, reinterpret_cast<sockaddr*>(&from),
                         fl);
            continue;
        }
        int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0) continue;
        (void)::send(c, reply_.data(), reply_.size(), MSG_NOSIGNAL);
        ::close(c);
    }
}

std::optional<std::string> tcp_ask(const std::string& netns, const std::string& addr, int port) {
    return ask(netns, addr, port, Proto::Tcp);
}

std::optional<std::string> udp_ask(const std::string& netns, const std::string& addr, int port) {
    return ask(netns, addr, port, Proto::Udp);
}

std::optional<std::string> sctp_ask(const std::string& netns, const std::string& addr, int port) {
    return ask(netns, addr, port, Proto::Sctp);
}

std::string missing_sctp() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_SCTP);
    const int err = errno;
    if (fd >= 0) {
        ::close(fd);
        return {};
    }
    return netrun_test::missing_feature_reason("SCTP sockets (CONFIG_IP_SCTP)", err);
}

}  // namespace pmtest
