#pragma once
// One rtnetlink socket bound to the netns it was opened in. Every request is acked; errors
// carry errno (Error::sys_errno) and the kernel's extended-ack text.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "netlib/error.hpp"

struct mnl_socket;
struct nlmsghdr;
struct nlattr;

namespace netlib::netns {
class Netns;
}

namespace netlib::netlink {

// A netlink message being built in a fixed buffer, header already placed. Attribute puts
// are bounds-checked: a message that would not fit, or a value that cannot be encoded (a bad
// MAC text), marks the message invalid and Socket refuses to send it, so builders can stay
// plain functions returning a Message. Copyable: the header is always at the buffer start.
class Message {
public:
    Message(std::uint16_t type, std::uint16_t flags);
    nlmsghdr* hdr() noexcept;
    const nlmsghdr* hdr() const noexcept;
    std::size_t size() const noexcept;
    // Appends a family header (ifinfomsg, ifaddrmsg, rtmsg, ...) and returns it, zeroed.
    template <class T>
    T* put_header() {
        return static_cast<T*>(put_extra(sizeof(T)));
    }
    void* put_extra(std::size_t len);

    void put(std::uint16_t type, const void* data, std::size_t len);
    void put_u8(std::uint16_t type, std::uint8_t v);
    void put_u32(std::uint16_t type, std::uint32_t v);
    void put_strz(std::uint16_t type, const std::string& s);
    // Nesting mirrors the message structure: start returns a handle for end().
    nlattr* nest_start(std::uint16_t type);
    void nest_end(nlattr* nest);
    // Why the message cannot be sent; empty when it is fine.
    const std::string& problem() const noexcept { return problem_; }
    void set_problem(std::string why);

private:
    // put_extra() draws from this reserve so a header never lands outside the buffer.
    static constexpr std::size_t kSize = 4096, kHeaderReserve = 64;
    alignas(8) std::uint8_t buf_[kSize];
    std::string problem_;
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
    // Send a request whose answer is one or more messages (get or dump); `on_msg` sees each
    // data message. A plain get is acked too, so its errors (e.g. ENODEV) come back.
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
