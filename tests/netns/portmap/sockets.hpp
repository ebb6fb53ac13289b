#pragma once
// In-process TCP/UDP/SCTP endpoints inside a given netns: a socket belongs to the netns it was
// created in, so the test creates it there (setns on this thread only, then back) and uses
// it from anywhere. No listener process to start, reap or race with.
#include <atomic>
#include <optional>
#include <string>
#include <thread>

namespace pmtest {

// SCTP is used one-to-one style (SOCK_STREAM), so it is served and asked like TCP.
enum class Proto { Tcp, Udp, Sctp };

// Replies `reply` to every TCP/SCTP connection (then closes) or UDP datagram on
// [::]/0.0.0.0:port.
class Server {
  public:
    Server(const std::string& netns, int family, Proto proto, int port, std::string reply);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

  private:
    void serve();
    int fd_ = -1;
    Proto proto_;
    std::string reply_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

// What a server answered to a connection from `netns` to addr:port, nullopt on timeout or
// refusal.
std::optional<std::string> tcp_ask(const std::string& netns, const std::string& addr, int port);
std::optional<std::string> udp_ask(const std::string& netns, const std::string& addr, int port);
std::optional<std::string> sctp_ask(const std::string& netns, const std::string& addr, int port);

// Empty when this kernel has SCTP sockets; else why not (the VM tier's kernel has them).
std::string missing_sctp();

}  // namespace pmtest
