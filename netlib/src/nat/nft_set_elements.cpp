#include "netlib/nat/nft_set_elements.hpp"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>

#include "netlib/ip/addr.hpp"

namespace netlib::nat {

namespace {

// libnftnl's NFTNL_UDATA_SET_ELEM_COMMENT: nft keeps an element's comment as this TLV.
constexpr std::uint8_t kUdataElemComment = 0;

void pad4(std::vector<std::uint8_t>& out) {
    while (out.size() % 4) out.push_back(0);
}

bool encode_component(std::string_view tok, std::vector<std::uint8_t>& out) {
    if (tok.size() >= 2 && tok.front() == '"' && tok.back() == '"') {
        tok = tok.substr(1, tok.size() - 2);
        if (tok.empty() || tok.size() >= IFNAMSIZ) return false;
        const std::size_t at = out.size();
        out.resize(at + IFNAMSIZ, 0);
        std::memcpy(out.data() + at, tok.data(), tok.size());
        return true;
    }
    for (auto [name, proto] : {std::pair{"tcp", IPPROTO_TCP}, std::pair{"udp", IPPROTO_UDP},
                               std::pair{"sctp", IPPROTO_SCTP}})
        if (tok == name) {
            out.push_back(static_cast<std::uint8_t>(proto));
            pad4(out);
            return true;
        }
    unsigned port = 0;
    auto [end, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), port);
    if (ec == std::errc() && end == tok.data() + tok.size()) {
        if (port > 65535) return false;
        out.push_back(static_cast<std::uint8_t>(port >> 8));
        out.push_back(static_cast<std::uint8_t>(port & 0xff));
        pad4(out);
        return true;
    }
    auto addr = ip::Addr::parse(tok);
    if (!addr) return false;
    out.insert(out.end(), addr->bytes().begin(), addr->bytes().end());
    return true;
}

nlmsghdr* put_msg(char* at, std::uint16_t type, std::uint16_t flags, std::uint32_t seq,
                  std::uint8_t family, std::uint16_t res_id) {
    nlmsghdr* nlh = mnl_nlmsg_put_header(at);
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = flags;
    nlh->nlmsg_seq = seq;
    auto* nfg = static_cast<nfgenmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(nfgenmsg)));
    nfg->nfgen_family = family;
    nfg->version = NFNETLINK_V0;
    nfg->res_id = htons(res_id);
    return nlh;
}

void put_data(nlmsghdr* nlh, std::uint16_t type, const std::vector<std::uint8_t>& bytes) {
    nlattr* nest = mnl_attr_nest_start(nlh, type);
    mnl_attr_put(nlh, NFTA_DATA_VALUE, bytes.size(), bytes.data());
    mnl_attr_nest_end(nlh, nest);
}

// Elements grouped per set, one message each (a message names a single set).
std::size_t put_set_message(nlmsghdr* nlh, std::string_view table,
                            std::span<const NftSetElement> elems, std::size_t from) {
    const std::string& set = elems[from].set;
    mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, std::string(table).c_str());
    mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, set.c_str());
    nlattr* list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
    std::size_t i = from;
    for (; i < elems.size() && elems[i].set == set; ++i) {
        nlattr* elem = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
        put_data(nlh, NFTA_SET_ELEM_KEY, elems[i].key);
        if (!elems[i].value.empty()) put_data(nlh, NFTA_SET_ELEM_DATA, elems[i].value);
        if (!elems[i].comment.empty()) {
            std::vector<std::uint8_t> udata{kUdataElemComment,
                                            static_cast<std::uint8_t>(elems[i].comment.size() + 1)};
            udata.insert(udata.end(), elems[i].comment.begin(), elems[i].comment.end());
            udata.push_back(0);
            mnl_attr_put(nlh, NFTA_SET_ELEM_USERDATA, udata.size(), udata.data());
        }
        mnl_attr_nest_end(nlh, elem);
    }
    mnl_attr_nest_end(nlh, list);
    return i;
}

}  // namespace

std::optional<std::vector<std::uint8_t>> nft_encode_data(std::string_view text) {
    std::vector<std::uint8_t> out;
    while (true) {
        const auto sep = text.find(" . ");
        if (!encode_component(text.substr(0, sep), out)) return std::nullopt;
        if (sep == std::string_view::npos) return out;
        text.remove_prefix(sep + 3);
    }
}

Expected<> nft_apply_elements(NftElementOp op, std::string_view table,
                              std::span<const NftSetElement> elems) {
    if (elems.empty()) return {};
    const std::string what = std::string(op == NftElementOp::Add ? "add" : "delete") +
                             " elements in nftables table " + std::string(table);
    for (const auto& e : elems)
        if (e.comment.size() > 254 || e.set.empty() || e.key.empty())
            return fail(Code::Internal, what + ": malformed element of set " + e.set);
    std::unique_ptr<mnl_socket, int (*)(mnl_socket*)> sock(mnl_socket_open(NETLINK_NETFILTER),
                                                          mnl_socket_close);
    if (!sock) return fail_errno(Code::Kernel, what + ": open nfnetlink socket", errno);
    if (mnl_socket_bind(sock.get(), 0, MNL_SOCKET_AUTOPID) < 0)
        return fail_errno(Code::Kernel, what + ": bind nfnetlink socket", errno);
    // The kernel answers every message of a batch it received; the bound only guards
    // against waiting forever on a kernel that does not.
    timeval limit{5, 0};
    ::setsockopt(mnl_socket_get_fd(sock.get()), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);

    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE + 64 * 1024);
    mnl_nlmsg_batch* batch = mnl_nlmsg_batch_start(buf.data(), buf.size());
    std::unique_ptr<mnl_nlmsg_batch, void (*)(mnl_nlmsg_batch*)> batch_guard(batch,
                                                                           mnl_nlmsg_batch_stop);
    std::uint32_t seq = 1;
    const std::uint32_t begin_seq = seq;
    put_msg(static_cast<char*>(mnl_nlmsg_batch_current(batch)), NFNL_MSG_BATCH_BEGIN,
            NLM_F_REQUEST, seq++, AF_UNSPEC, NFNL_SUBSYS_NFTABLES);
    mnl_nlmsg_batch_next(batch);
    const std::uint16_t type =
        (NFNL_SUBSYS_NFTABLES << 8) | (op == NftElementOp::Add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM);
    const std::uint16_t flags =
        NLM_F_REQUEST | NLM_F_ACK | (op == NftElementOp::Add ? NLM_F_CREATE : 0);
    std::size_t messages = 0;
    for (std::size_t i = 0; i < elems.size(); ++messages) {
        nlmsghdr* nlh = put_msg(static_cast<char*>(mnl_nlmsg_batch_current(batch)), type, flags,
                                seq++, NFPROTO_INET, 0);
        i = put_set_message(nlh, table, elems, i);
        if (!mnl_nlmsg_batch_next(batch)) return fail(Code::Internal, what + ": batch too large");
    }
    put_msg(static_cast<char*>(mnl_nlmsg_batch_current(batch)), NFNL_MSG_BATCH_END, NLM_F_REQUEST,
            seq++, AF_UNSPEC, NFNL_SUBSYS_NFTABLES);
    mnl_nlmsg_batch_next(batch);
    if (mnl_socket_sendto(sock.get(), mnl_nlmsg_batch_head(batch), mnl_nlmsg_batch_size(batch)) < 0)
        return fail_errno(Code::Kernel, what, errno);

    // One ack or error per element message; a failed batch is undone whole by the kernel.
    int first_error = 0;
    std::size_t answered = 0;
    while (answered < messages) {
        const auto n = mnl_socket_recvfrom(sock.get(), buf.data(), buf.size());
        if (n < 0) return fail_errno(Code::Kernel, what + ": read the kernel's answer", errno);
        int left = static_cast<int>(n);
        for (auto* nlh = reinterpret_cast<const nlmsghdr*>(buf.data()); mnl_nlmsg_ok(nlh, left);
             nlh = mnl_nlmsg_next(nlh, &left)) {
            if (nlh->nlmsg_type != NLMSG_ERROR) continue;
            const auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
            if (err->error != 0 && first_error == 0) first_error = -err->error;
            if (nlh->nlmsg_seq == begin_seq) answered = messages;  // the batch itself refused
            else ++answered;
        }
    }
    if (first_error != 0) return fail_errno(Code::Kernel, what, first_error);
    return {};
}

}  // namespace netlib::nat
