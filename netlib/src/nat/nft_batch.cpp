#include "netlib/nat/nft_batch.hpp"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <charconv>
#include <algorithm>
#include <cstring>
#include <memory>

namespace netlib::nat {

namespace {

// libnftnl's NFTNL_UDATA_SET_ELEM_COMMENT and NFTNL_UDATA_CHAIN_COMMENT: nft keeps
// comments as this TLV in the object's userdata.
constexpr std::uint8_t kUdataComment = 0;

// Netlink attributes appended to a byte buffer, with nesting.
class Attrs {
  public:
    explicit Attrs(std::vector<std::uint8_t>& out) : out_(out) {}
    void put(std::uint16_t type, const void* data, std::size_t len) {
        const std::size_t at = header(type, len);
        std::memcpy(out_.data() + at + sizeof(nlattr), data, len);
        pad();
    }
    void put(std::uint16_t type, std::span<const std::uint8_t> bytes) {
        put(type, bytes.data(), bytes.size());
    }
    void put_strz(std::uint16_t type, std::string_view s) {
        std::string z(s);
        put(type, z.c_str(), z.size() + 1);
    }
    void put_be32(std::uint16_t type, std::uint32_t v) {
        v = htonl(v);
        put(type, &v, sizeof v);
    }
    std::size_t nest_start(std::uint16_t type) { return header(type | NLA_F_NESTED, 0); }
    void nest_end(std::size_t at) {
        auto* a = reinterpret_cast<nlattr*>(out_.data() + at);
        a->nla_len = static_cast<std::uint16_t>(out_.size() - at);
    }
    // Bytes already built elsewhere (a rule's expressions) inside the current nest.
    void raw(std::span<const std::uint8_t> bytes) { out_.insert(out_.end(), bytes.begin(), bytes.end()); }

  private:
    std::size_t header(std::uint16_t type, std::size_t len) {
        const std::size_t at = out_.size();
        out_.resize(at + sizeof(nlattr) + len);
        nlattr a{static_cast<std::uint16_t>(sizeof(nlattr) + len), type};
        std::memcpy(out_.data() + at, &a, sizeof a);
        return at;
    }
    void pad() {
        while (out_.size() % 4) out_.push_back(0);
    }
    std::vector<std::uint8_t>& out_;
};

// nft's userdata TLV has a one-byte length, NUL included.
constexpr std::size_t kMaxComment = 254;

std::vector<std::uint8_t> comment_udata(std::string_view comment) {
    std::vector<std::uint8_t> u;
    u.reserve(comment.size() + 3);
    u.push_back(kUdataComment);
    u.push_back(static_cast<std::uint8_t>(comment.size() + 1));
    for (char c : comment) u.push_back(static_cast<std::uint8_t>(c));
    u.push_back(0);
    return u;
}

void put_data(Attrs& a, std::uint16_t type, std::span<const std::uint8_t> bytes) {
    const auto n = a.nest_start(type);
    a.put(NFTA_DATA_VALUE, bytes);
    a.nest_end(n);
}

void put_verdict(Attrs& a, std::uint16_t type, std::int32_t code, std::string_view chain) {
    const auto d = a.nest_start(type);
    const auto v = a.nest_start(NFTA_DATA_VERDICT);
    a.put_be32(NFTA_VERDICT_CODE, static_cast<std::uint32_t>(code));
    if (!chain.empty()) a.put_strz(NFTA_VERDICT_CHAIN, chain);
    a.nest_end(v);
    a.nest_end(d);
}

// One expression: NFTA_LIST_ELEM { NAME, DATA { ... } }.
template <class Fill>
void expr(Attrs& a, const char* name, Fill fill) {
    const auto e = a.nest_start(NFTA_LIST_ELEM);
    a.put_strz(NFTA_EXPR_NAME, name);
    const auto d = a.nest_start(NFTA_EXPR_DATA);
    fill(a);
    a.nest_end(d);
    a.nest_end(e);
}

void cmp_eq(Attrs& a, std::span<const std::uint8_t> bytes) {
    expr(a, "cmp", [&](Attrs& x) {
        x.put_be32(NFTA_CMP_SREG, NFT_REG_1);
        x.put_be32(NFTA_CMP_OP, NFT_CMP_EQ);
        put_data(x, NFTA_CMP_DATA, bytes);
    });
}

bool encode_component(std::string_view tok, std::vector<std::uint8_t>& out) {
    auto pad4 = [&] {
        while (out.size() % 4) out.push_back(0);
    };
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
            pad4();
            return true;
        }
    unsigned port = 0;
    auto [end, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), port);
    if (ec == std::errc() && end == tok.data() + tok.size()) {
        if (port > 65535) return false;
        out.push_back(static_cast<std::uint8_t>(port >> 8));
        out.push_back(static_cast<std::uint8_t>(port & 0xff));
        pad4();
        return true;
    }
    auto addr = ip::Addr::parse(tok);
    if (!addr) return false;
    out.insert(out.end(), addr->bytes().begin(), addr->bytes().end());
    return true;
}

std::vector<std::uint8_t> message(std::uint16_t type, std::uint16_t flags, std::uint8_t family,
                                  std::uint16_t res_id, std::span<const std::uint8_t> attrs) {
    std::vector<std::uint8_t> m(NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(nfgenmsg)));
    auto* nlh = reinterpret_cast<nlmsghdr*>(m.data());
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = flags;
    auto* nfg = reinterpret_cast<nfgenmsg*>(m.data() + NLMSG_HDRLEN);
    nfg->nfgen_family = family;
    nfg->version = NFNETLINK_V0;
    nfg->res_id = htons(res_id);
    m.insert(m.end(), attrs.begin(), attrs.end());
    reinterpret_cast<nlmsghdr*>(m.data())->nlmsg_len = static_cast<std::uint32_t>(m.size());
    return m;
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

// As nft encodes a prefix match on the destination address: the inet table's family
// check, then a load of the whole bytes the prefix covers, masked when it ends inside a
// byte (nft then loads the full address).
std::optional<NftRule> NftRule::daddr_accept(const ip::Net& net) {
    if (net.prefix <= 0 || net.prefix > net.addr.bits()) return std::nullopt;
    const bool v4 = net.addr.is_v4();
    const ip::Net masked = net.masked();
    const auto addr = masked.addr.bytes();
    const bool aligned = net.prefix % 8 == 0;
    const std::size_t len = aligned ? static_cast<std::size_t>(net.prefix / 8) : addr.size();
    NftRule r;
    Attrs a(r.exprs);
    expr(a, "meta", [&](Attrs& x) {
        x.put_be32(NFTA_META_KEY, NFT_META_NFPROTO);
        x.put_be32(NFTA_META_DREG, NFT_REG_1);
    });
    const std::uint8_t proto = v4 ? NFPROTO_IPV4 : NFPROTO_IPV6;
    cmp_eq(a, std::span(&proto, 1));
    expr(a, "payload", [&](Attrs& x) {
        x.put_be32(NFTA_PAYLOAD_DREG, NFT_REG_1);
        x.put_be32(NFTA_PAYLOAD_BASE, NFT_PAYLOAD_NETWORK_HEADER);
        x.put_be32(NFTA_PAYLOAD_OFFSET, v4 ? 16 : 24);  // daddr in the IPv4 / IPv6 header
        x.put_be32(NFTA_PAYLOAD_LEN, static_cast<std::uint32_t>(len));
    });
    if (!aligned) {
        std::vector<std::uint8_t> mask(len, 0), zero(len, 0);
        for (int bit = 0; bit < net.prefix; ++bit) mask[static_cast<std::size_t>(bit / 8)] |= 0x80 >> (bit % 8);
        expr(a, "bitwise", [&](Attrs& x) {
            x.put_be32(NFTA_BITWISE_SREG, NFT_REG_1);
            x.put_be32(NFTA_BITWISE_DREG, NFT_REG_1);
            x.put_be32(NFTA_BITWISE_LEN, static_cast<std::uint32_t>(len));
            put_data(x, NFTA_BITWISE_MASK, mask);
            put_data(x, NFTA_BITWISE_XOR, zero);
        });
    }
    cmp_eq(a, addr.first(len));
    expr(a, "immediate", [&](Attrs& x) {
        x.put_be32(NFTA_IMMEDIATE_DREG, NFT_REG_VERDICT);
        put_verdict(x, NFTA_IMMEDIATE_DATA, NF_ACCEPT, {});
    });
    return r;
}

NftRule NftRule::masquerade() {
    NftRule r;
    Attrs a(r.exprs);
    expr(a, "masq", [](Attrs&) {});
    return r;
}

std::optional<std::vector<NftSetElement>> nft_elements(
    std::span<const std::pair<std::string, std::string>> keys, std::span<const std::string> values,
    std::string_view comment) {
    std::vector<NftSetElement> out;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        auto key = nft_encode_data(keys[i].second);
        if (!key) return std::nullopt;
        NftSetElement e{.set = keys[i].first, .key = std::move(*key), .comment = std::string(comment)};
        if (i < values.size() && !values[i].empty()) {
            auto value = nft_encode_data(values[i]);
            if (!value) return std::nullopt;
            e.value = std::move(*value);
        }
        out.push_back(std::move(e));
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const NftSetElement& a, const NftSetElement& b) { return a.set < b.set; });
    return out;
}

void NftBatch::add_chain(std::string_view chain, std::string_view comment) {
    if (comment.size() > kMaxComment) malformed_ = "comment of chain " + std::string(chain) + " too long";
    std::vector<std::uint8_t> attrs;
    Attrs a(attrs);
    a.put_strz(NFTA_CHAIN_TABLE, table_);
    a.put_strz(NFTA_CHAIN_NAME, chain);
    if (!comment.empty()) a.put(NFTA_CHAIN_USERDATA, comment_udata(comment));
    messages_.push_back({NFT_MSG_NEWCHAIN, NLM_F_CREATE, std::move(attrs)});
}

void NftBatch::delete_chain(std::string_view chain) {
    std::vector<std::uint8_t> attrs;
    Attrs a(attrs);
    a.put_strz(NFTA_CHAIN_TABLE, table_);
    a.put_strz(NFTA_CHAIN_NAME, chain);
    messages_.push_back({NFT_MSG_DELCHAIN, 0, std::move(attrs)});
}

void NftBatch::add_rule(std::string_view chain, const NftRule& rule) {
    std::vector<std::uint8_t> attrs;
    Attrs a(attrs);
    a.put_strz(NFTA_RULE_TABLE, table_);
    a.put_strz(NFTA_RULE_CHAIN, chain);
    const auto list = a.nest_start(NFTA_RULE_EXPRESSIONS);
    a.raw(rule.exprs);
    a.nest_end(list);
    messages_.push_back({NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND, std::move(attrs)});
}

void NftBatch::elements(NftElementOp op, std::span<const NftSetElement> elems) {
    for (std::size_t i = 0; i < elems.size();) {
        const std::string& set = elems[i].set;
        std::vector<std::uint8_t> attrs;
        Attrs a(attrs);
        a.put_strz(NFTA_SET_ELEM_LIST_TABLE, table_);
        a.put_strz(NFTA_SET_ELEM_LIST_SET, set);
        const auto list = a.nest_start(NFTA_SET_ELEM_LIST_ELEMENTS);
        for (; i < elems.size() && elems[i].set == set; ++i) {
            const auto& e = elems[i];
            if (e.comment.size() > kMaxComment || e.key.empty())
                malformed_ = "malformed element of set " + e.set;
            const auto elem = a.nest_start(NFTA_LIST_ELEM);
            put_data(a, NFTA_SET_ELEM_KEY, e.key);
            if (op == NftElementOp::Add) {
                if (!e.jump.empty()) put_verdict(a, NFTA_SET_ELEM_DATA, NFT_JUMP, e.jump);
                else if (!e.value.empty()) put_data(a, NFTA_SET_ELEM_DATA, e.value);
                if (!e.comment.empty()) a.put(NFTA_SET_ELEM_USERDATA, comment_udata(e.comment));
            }
            a.nest_end(elem);
        }
        a.nest_end(list);
        if (op == NftElementOp::Add)
            messages_.push_back({NFT_MSG_NEWSETELEM, NLM_F_CREATE, std::move(attrs)});
        else
            messages_.push_back({NFT_MSG_DELSETELEM, 0, std::move(attrs)});
    }
}

Expected<> NftBatch::commit(std::string_view what_) {
    const std::string what = std::string(what_) + " (nftables table inet " + table_ + ")";
    if (!malformed_.empty()) return fail(Code::Internal, what + ": " + malformed_);
    if (messages_.empty()) return {};
    std::unique_ptr<mnl_socket, int (*)(mnl_socket*)> sock(mnl_socket_open(NETLINK_NETFILTER),
                                                          mnl_socket_close);
    if (!sock) return fail_errno(Code::Kernel, what + ": open nfnetlink socket", errno);
    if (mnl_socket_bind(sock.get(), 0, MNL_SOCKET_AUTOPID) < 0)
        return fail_errno(Code::Kernel, what + ": bind nfnetlink socket", errno);
    // The kernel answers every message of a batch it received; the bound only guards
    // against waiting forever on a kernel that does not.
    timeval limit{5, 0};
    ::setsockopt(mnl_socket_get_fd(sock.get()), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);

    std::uint32_t seq = 1;
    std::vector<std::uint8_t> batch;
    auto append = [&](std::vector<std::uint8_t> m) {
        reinterpret_cast<nlmsghdr*>(m.data())->nlmsg_seq = seq++;
        batch.insert(batch.end(), m.begin(), m.end());
    };
    const std::uint32_t begin_seq = seq;
    append(message(NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, AF_UNSPEC, NFNL_SUBSYS_NFTABLES, {}));
    for (const auto& m : messages_)
        append(message(static_cast<std::uint16_t>((NFNL_SUBSYS_NFTABLES << 8) | m.type),
                       static_cast<std::uint16_t>(NLM_F_REQUEST | NLM_F_ACK | m.flags), NFPROTO_INET, 0,
                       m.attrs));
    append(message(NFNL_MSG_BATCH_END, NLM_F_REQUEST, AF_UNSPEC, NFNL_SUBSYS_NFTABLES, {}));
    if (mnl_socket_sendto(sock.get(), batch.data(), batch.size()) < 0)
        return fail_errno(Code::Kernel, what, errno);

    // One ack or error per message; a failed batch is undone whole by the kernel.
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
    int first_error = 0;
    std::size_t answered = 0;
    while (answered < messages_.size()) {
        const auto n = mnl_socket_recvfrom(sock.get(), buf.data(), buf.size());
        if (n < 0) return fail_errno(Code::Kernel, what + ": read the kernel's answer", errno);
        int left = static_cast<int>(n);
        for (auto* nlh = reinterpret_cast<const nlmsghdr*>(buf.data()); mnl_nlmsg_ok(nlh, left);
             nlh = mnl_nlmsg_next(nlh, &left)) {
            if (nlh->nlmsg_type != NLMSG_ERROR) continue;
            const auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
            if (err->error != 0 && first_error == 0) first_error = -err->error;
            if (nlh->nlmsg_seq == begin_seq) answered = messages_.size();  // the batch itself refused
            else ++answered;
        }
    }
    if (first_error != 0) return fail_errno(Code::Kernel, what, first_error);
    return {};
}

Expected<> nft_apply_elements(NftElementOp op, std::string_view table,
                              std::span<const NftSetElement> elems) {
    NftBatch batch{std::string(table)};
    batch.elements(op, elems);
    return batch.commit(op == NftElementOp::Add ? "add elements" : "delete elements");
}

}  // namespace netlib::nat
