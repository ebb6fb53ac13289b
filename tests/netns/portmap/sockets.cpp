#include "sockets.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

namespace pmtest {

namespace {

constexpr int kTimeoutMs = 1500;

int socket_in(const std::string& netns, int family, int type) {
    int self = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    int target = netns.empty() ? -1 : ::open(netns.c_str(), O_RDONLY | O_CLOEXEC);
    if (self < 0 || (!netns.empty() && target < 0)) throw std::runtime_error("open netns " + netns);
    if (target >= 0 && ::setns(target, CLONE_NEWNET) != 0)
        throw std::runtime_error("setns " + netns);
    int fd = ::socket(family, type | SOCK_CLOEXEC, 0);
    if (target >= 0 && ::setns(self, CLONE_NEWNET) != 0) std::abort();
    ::close(self);
    if (target >= 0) ::close(target);
    if (fd < 0) throw std::runtime_error("socket");
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
                               bool udp) {
    socklen_t len = 0;
    auto ss = make_addr(addr, port, len);
    int fd = socket_in(netns, ss.ss_family, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK);
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

Server::Server(const std::string& netns, int family, bool udp, int port, std::string reply)
    : udp_(udp), reply_(std::move(reply)) {
    fd_ = socket_in(netns, family, udp ? SOCK_DGRAM : SOCK_STREAM);
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
        if (udp_) {
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
    return ask(netns, addr, port, false);
}

std::optional<std::string> udp_ask(const std::string& netns, const std::string& addr, int port) {
    return ask(netns, addr, port, true);
}

}  // namespace pmtest
