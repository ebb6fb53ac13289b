#include "netlib/conntrack/conntrack.hpp"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace netlib::conntrack {

namespace {

using Socket = std::unique_ptr<mnl_socket, int (*)(mnl_socket*)>;

Expected<Socket> open_socket() {
    Socket s(mnl_socket_open(NETLINK_NETFILTER), mnl_socket_close);
    if (!s) return fail_errno(Code::Kernel, "open ctnetlink socket", errno);
    if (mnl_socket_bind(s.get(), 0, MNL_SOCKET_AUTOPID) < 0)
        return fail_errno(Code::Kernel, "bind ctnetlink socket", errno);
    return s;
}

nlmsghdr* put_header(char* buf, std::uint16_t type, std::uint16_t flags, int family,
                     std::uint32_t seq) {
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = static_cast<std::uint16_t>((NFNL_SUBSYS_CTNETLINK << 8) | type);
    nlh->nlmsg_flags = static_cast<std::uint16_t>(NLM_F_REQUEST | flags);
    nlh->nlmsg_seq = seq;
    auto* nfg = static_cast<nfgenmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(nfgenmsg)));
    nfg->nfgen_family = static_cast<std::uint8_t>(family);
    nfg->version = NFNETLINK_V0;
    nfg->res_id = 0;
    return nlh;
}

struct Match {
    std::uint8_t proto;
    std::uint16_t port;                     // network order
    std::vector<std::vector<char>> tuples;  // raw CTA_TUPLE_ORIG attributes to delete
};

const nlattr* find_attr(const char* p, std::size_t len, std::uint16_t type) {
    auto* a = reinterpret_cast<const nlattr*>(p);
    int left = static_cast<int>(len);
    for (; mnl_attr_ok(a, left); a = mnl_attr_next(a)) {
        if (mnl_attr_get_type(a) == type) return a;
        left -= static_cast<int>(MNL_ALIGN(a->nla_len));
    }
    return nullptr;
}

const nlattr* nested(const nlattr* parent, std::uint16_t type) {
    return find_attr(static_cast<const char*>(mnl_attr_get_payload(parent)),
                     mnl_attr_get_payload_len(parent), type);
}

int on_entry(const nlmsghdr* nlh, void* data) {
    auto* m = static_cast<Match*>(data);
    const char* payload =
        static_cast<const char*>(mnl_nlmsg_get_payload_offset(nlh, sizeof(nfgenmsg)));
    const char* tail = static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh));
    const nlattr* orig =
        find_attr(payload, static_cast<std::size_t>(tail - payload), CTA_TUPLE_ORIG);
    if (!orig) return MNL_CB_OK;
    const nlattr* proto = nested(orig, CTA_TUPLE_PROTO);
    if (!proto) return MNL_CB_OK;
    const nlattr* num = nested(proto, CTA_PROTO_NUM);
    const nlattr* dport = nested(proto, CTA_PROTO_DST_PORT);
    if (!num || !dport || mnl_attr_get_u8(num) != m->proto || mnl_attr_get_u16(dport) != m->port)
        return MNL_CB_OK;
    const char* p = reinterpret_cast<const char*>(orig);
    m->tuples.emplace_back(p, p + orig->nla_len);
    return MNL_CB_OK;
}

}  // namespace

Expected<> delete_by_dst_port(ip::Family f, std::uint8_t l4proto, std::uint16_t port) {
    const int family = f == ip::Family::V4 ? AF_INET : AF_INET6;
    auto sock = NETLIB_TRY(open_socket());
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
    const auto portid = mnl_socket_get_portid(sock.get());
    nlmsghdr* nlh = put_header(buf.data(), IPCTNL_MSG_CT_GET, NLM_F_DUMP, family, 1);
    if (mnl_socket_sendto(sock.get(), nlh, nlh->nlmsg_len) < 0)
        return fail_errno(Code::Kernel, "dump conntrack table", errno);
    Match m{l4proto, htons(port), {}};
    while (true) {
        auto n = mnl_socket_recvfrom(sock.get(), buf.data(), buf.size());
        if (n < 0) return fail_errno(Code::Kernel, "read conntrack dump", errno);
        int r = mnl_cb_run(buf.data(), static_cast<size_t>(n), 1, portid, on_entry, &m);
        if (r == MNL_CB_STOP) break;
        if (r < 0) return fail_errno(Code::Kernel, "read conntrack dump", errno);
    }
    std::uint32_t seq = 2;
    for (const auto& t : m.tuples) {
        nlh = put_header(buf.data(), IPCTNL_MSG_CT_DELETE, NLM_F_ACK, family, seq);
        std::memcpy(mnl_nlmsg_get_payload_tail(nlh), t.data(), t.size());
        nlh->nlmsg_len += MNL_ALIGN(static_cast<std::uint32_t>(t.size()));
        if (mnl_socket_sendto(sock.get(), nlh, nlh->nlmsg_len) < 0)
            return fail_errno(Code::Kernel, "delete conntrack entry", errno);
        auto n = mnl_socket_recvfrom(sock.get(), buf.data(), buf.size());
        if (n < 0) return fail_errno(Code::Kernel, "delete conntrack entry", errno);
        if (mnl_cb_run(buf.data(), static_cast<size_t>(n), seq, portid, nullptr, nullptr) < 0 &&
            errno != ENOENT)
            return fail_errno(Code::Kernel,
                              "delete conntrack entry for port " + std::to_string(port), errno);
        ++seq;
    }
    return {};
}

}  // namespace netlib::conntrack
