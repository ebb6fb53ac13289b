#include "netlib/netlink/socket.hpp"

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <time.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "netlib/netns/netns.hpp"

namespace netlib::netlink {

namespace {
// Large enough for any single link message (stats, VF info) and a dump batch: the kernel
// sizes dump batches by the largest receive buffer it has seen, up to 32 KiB.
constexpr std::size_t kRxBuffer = 32768;
}  // namespace

Message::Message(std::uint16_t type, std::uint16_t flags) {
    std::memset(buf_, 0, sizeof buf_);
    auto* nlh = mnl_nlmsg_put_header(buf_);
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = static_cast<std::uint16_t>(NLM_F_REQUEST | flags);
}

nlmsghdr* Message::hdr() noexcept { return reinterpret_cast<nlmsghdr*>(buf_); }
const nlmsghdr* Message::hdr() const noexcept { return reinterpret_cast<const nlmsghdr*>(buf_); }
std::size_t Message::size() const noexcept { return hdr()->nlmsg_len; }

void Message::set_problem(std::string why) {
    if (problem_.empty()) problem_ = std::move(why);
}

void* Message::put_extra(std::size_t len) {
    std::size_t aligned = MNL_ALIGN(len);
    if (aligned > kHeaderReserve) std::abort();  // a family header; never this large
    if (size() + aligned > kSize) {
        // Memory-safe garbage: the message is marked unsendable anyway.
        set_problem("message too long");
        return buf_ + kSize - aligned;
    }
    return mnl_nlmsg_put_extra_header(hdr(), len);
}

void Message::put(std::uint16_t type, const void* data, std::size_t len) {
    if (!mnl_attr_put_check(hdr(), kSize - kHeaderReserve, type, len, data)) set_problem("message too long");
}

void Message::put_u8(std::uint16_t type, std::uint8_t v) { put(type, &v, sizeof v); }
void Message::put_u32(std::uint16_t type, std::uint32_t v) { put(type, &v, sizeof v); }
void Message::put_strz(std::uint16_t type, const std::string& s) { put(type, s.c_str(), s.size() + 1); }

nlattr* Message::nest_start(std::uint16_t type) {
    nlattr* n = mnl_attr_nest_start_check(hdr(), kSize - kHeaderReserve, type);
    if (!n) set_problem("message too long");
    return n;  // libmnl sets NLA_F_NESTED (tests/unit/netlink checks every nest)
}

void Message::nest_end(nlattr* nest) {
    if (nest) mnl_attr_nest_end(hdr(), nest);
}

Socket::Socket(mnl_socket* s) : sock_(s), portid_(mnl_socket_get_portid(s)), rxbuf_(kRxBuffer) {
    seq_ = static_cast<std::uint32_t>(::time(nullptr));
}

Socket::Socket(Socket&& o) noexcept
    : sock_(std::exchange(o.sock_, nullptr)), portid_(o.portid_), seq_(o.seq_), rxbuf_(std::move(o.rxbuf_)) {}

Socket& Socket::operator=(Socket&& o) noexcept {
    if (this != &o) {
        if (sock_) mnl_socket_close(sock_);
        sock_ = std::exchange(o.sock_, nullptr);
        portid_ = o.portid_;
        seq_ = o.seq_;
        rxbuf_ = std::move(o.rxbuf_);
    }
    return *this;
}

Socket::~Socket() {
    if (sock_) mnl_socket_close(sock_);
}

Expected<Socket> Socket::open() {
    mnl_socket* s = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
    if (!s) return fail_errno(Code::Kernel, "open rtnetlink socket", errno);
    if (mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0) {
        int e = errno;
        mnl_socket_close(s);
        return fail_errno(Code::Kernel, "bind rtnetlink socket", e);
    }
    int one = 1;
    // Extended acks carry the kernel's reason text; capped acks keep error replies small.
    mnl_socket_setsockopt(s, NETLINK_EXT_ACK, &one, sizeof one);
    mnl_socket_setsockopt(s, NETLINK_CAP_ACK, &one, sizeof one);
    return Socket(s);
}

Expected<Socket> Socket::open_in(const netns::Netns& ns) {
    auto scope = NETLIB_TRY(netns::Scope::enter(ns));
    return open();  // the socket stays bound to `ns` after the scope ends
}

Expected<> Socket::send(Message& msg, std::string_view what) {
    // Nothing in a request is worth sending half-built; the cause is always the input.
    if (!msg.problem().empty()) {
        auto e = fail(Code::InvalidConfig, std::string(what) + ": " + msg.problem());
        e.error().sys_errno = EINVAL;
        return e;
    }
    msg.hdr()->nlmsg_seq = ++seq_;
    if (mnl_socket_sendto(sock_, msg.hdr(), msg.hdr()->nlmsg_len) < 0)
        return fail_errno(Code::Kernel, std::string(what) + ": send", errno);
    return {};
}

namespace {

std::string ext_ack_text(const nlmsghdr* nlh) {
    if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS)) return {};
    const auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
    std::size_t off = sizeof(nlmsghdr) + sizeof(nlmsgerr);
    if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) off += err->msg.nlmsg_len - sizeof(nlmsghdr);
    if (off >= nlh->nlmsg_len) return {};
    std::string text;
    const auto* base = reinterpret_cast<const std::uint8_t*>(nlh);
    std::size_t len = nlh->nlmsg_len - off;
    const auto* attr = reinterpret_cast<const nlattr*>(base + off);
    while (mnl_attr_ok(attr, static_cast<int>(len))) {
        if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG) text = mnl_attr_get_str(attr);
        std::size_t step = MNL_ALIGN(attr->nla_len);
        if (step == 0 || step > len) break;
        len -= step;
        attr = reinterpret_cast<const nlattr*>(reinterpret_cast<const std::uint8_t*>(attr) + step);
    }
    return text;
}

std::unexpected<Error> kernel_error(std::string_view what, int err, const std::string& ext) {
    std::string msg = std::string(what) + ": " + std::strerror(err);
    if (!ext.empty()) msg += " (kernel: " + ext + ")";
    return std::unexpected(Error{static_cast<int>(Code::Kernel), std::move(msg), {}, err});
}

}  // namespace

Expected<> Socket::receive(std::uint32_t seq, std::string_view what,
                           const std::function<void(const nlmsghdr*)>* on_msg) {
    for (;;) {
        ssize_t n = mnl_socket_recvfrom(sock_, rxbuf_.data(), rxbuf_.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail_errno(Code::Kernel, std::string(what) + ": receive", errno);
        }
        const auto* nlh = reinterpret_cast<const nlmsghdr*>(rxbuf_.data());
        int len = static_cast<int>(n);
        while (mnl_nlmsg_ok(nlh, len)) {
            if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != portid_) {
                nlh = mnl_nlmsg_next(nlh, &len);
                continue;
            }
            if (nlh->nlmsg_type == NLMSG_ERROR) {
                const auto* e = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
                if (e->error == 0) return {};
                return kernel_error(what, -e->error, ext_ack_text(nlh));
            }
            if (nlh->nlmsg_type == NLMSG_DONE) {
                // A dump that failed part-way says so in the DONE message's payload.
                int err = 0;
                if (mnl_nlmsg_get_payload_len(nlh) >= sizeof err)
                    std::memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof err);
                if (err < 0) return kernel_error(what, -err, {});
                return {};
            }
            if (on_msg) (*on_msg)(nlh);
            // A plain get (no dump) answers with one message and, since we ask for an ack,
            // an NLMSG_ERROR(0) after it.
            nlh = mnl_nlmsg_next(nlh, &len);
        }
    }
}

Expected<> Socket::request(Message& msg, std::string_view what) {
    msg.hdr()->nlmsg_flags |= NLM_F_ACK;
    NETLIB_TRYV(send(msg, what));
    return receive(seq_, what, nullptr);
}

Expected<> Socket::query(Message& msg, std::string_view what, const std::function<void(const nlmsghdr*)>& on_msg) {
    if (!(msg.hdr()->nlmsg_flags & NLM_F_DUMP)) msg.hdr()->nlmsg_flags |= NLM_F_ACK;
    NETLIB_TRYV(send(msg, what));
    return receive(seq_, what, &on_msg);
}

}  // namespace netlib::netlink
