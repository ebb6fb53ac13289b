#pragma once
// One rtnetlink socket bound to the netns it was opened in. Every request is acked; errors
// carry errno (Error::sys_errno) and the kernel's extended-ack text.
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "netlib/error.hpp"

struct mnl_socket;
struct nlmsghdr;

namespace netlib::netns {
class Netns;
}

namespace netlib::netlink {

// A netlink message being built: fixed buffer, header already placed.
class Message {
public:
    Message(std::uint16_t type, std::uint16_t flags);
    nlmsghdr* hdr() noexcept { return nlh_; }
    // Appends a family header (ifinfomsg, ifaddrmsg, rtmsg, ...) and returns it.
    template <class T>
    T* put_header() {
        return static_cast<T*>(put_extra(sizeof(T)));
    }
    void* put_extra(std::size_t len);

private:
    alignas(8) std::uint8_t buf_[4096];
    nlmsghdr* nlh_;
};

class Socket {
public:
    static Expected<Socket> open();
    static Expected<Socket> open_in(const netns::Netns& ns);
    Socket(Socket&& o) noexcept;
    Socket& operator=(Socket&& o) noexcept;
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    ~Socket();

    // Send and wait for the ack. `what` names the operation for the error message.
    Expected<> request(Message& msg, std::string_view what);
    // Send a request whose answer is one or more messages (get or dump); `on_msg` sees each.
    Expected<> query(Message& msg, std::string_view what, const std::function<void(const nlmsghdr*)>& on_msg);

private:
    explicit Socket(mnl_socket* s);
    Expected<> send(Message& msg, std::string_view what);
    Expected<> receive(std::uint32_t seq, std::string_view what, const std::function<void(const nlmsghdr*)>* on_msg);
    mnl_socket* sock_ = nullptr;
    std::uint32_t portid_ = 0;
    std::uint32_t seq_ = 0;
    std::vector<std::uint8_t> rxbuf_;
};

}  // namespace netlib::netlink
