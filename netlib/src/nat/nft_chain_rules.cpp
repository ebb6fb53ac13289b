#include "netlib/nat/nft_chain_rules.hpp"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <filesystem>
#include <memory>

namespace netlib::nat {

namespace {

template <class Fn>
void for_each_attr(const void* start, std::size_t len, Fn fn) {
    auto* a = static_cast<const nlattr*>(start);
    int left = static_cast<int>(len);
    for (; mnl_attr_ok(a, left); a = mnl_attr_next(a)) {
        fn(a);
        left -= static_cast<int>(MNL_ALIGN(a->nla_len));
    }
}

// The nested attribute of `type` inside `parent`, or nullptr.
const nlattr* child(const nlattr* parent, std::uint16_t type) {
    const nlattr* found = nullptr;
    for_each_attr(mnl_attr_get_payload(parent), mnl_attr_get_payload_len(parent),
                  [&](const nlattr* a) {
                      if (!found && mnl_attr_get_type(a) == type) found = a;
                  });
    return found;
}

// A verdict held by an `immediate` expression: jump or goto to a chain.
void collect_jump(const nlattr* expr, NftChainRules& out) {
    const nlattr* name = child(expr, NFTA_EXPR_NAME);
    const nlattr* data = child(expr, NFTA_EXPR_DATA);
    if (!name || !data || std::string_view(mnl_attr_get_str(name)) != "immediate") return;
    const nlattr* value = child(data, NFTA_IMMEDIATE_DATA);
    const nlattr* verdict = value ? child(value, NFTA_DATA_VERDICT) : nullptr;
    const nlattr* code = verdict ? child(verdict, NFTA_VERDICT_CODE) : nullptr;
    const nlattr* target = verdict ? child(verdict, NFTA_VERDICT_CHAIN) : nullptr;
    if (!code || !target) return;
    const auto c = static_cast<std::int32_t>(ntohl(mnl_attr_get_u32(code)));
    if (c == NFT_JUMP || c == NFT_GOTO) out.jumps.emplace_back(mnl_attr_get_str(target));
}

int on_rule(const nlmsghdr* nlh, void* data) {
    auto* out = static_cast<NftChainRules*>(data);
    ++out->rules;
    const auto* payload =
        static_cast<const char*>(mnl_nlmsg_get_payload_offset(nlh, sizeof(nfgenmsg)));
    const auto* tail = static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh));
    for_each_attr(payload, static_cast<std::size_t>(tail - payload), [&](const nlattr* a) {
        if (mnl_attr_get_type(a) != NFTA_RULE_EXPRESSIONS) return;
        for_each_attr(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a),
                      [&](const nlattr* e) { collect_jump(e, *out); });
    });
    return MNL_CB_OK;
}

}  // namespace

Expected<NftRuleReader> NftRuleReader::open() {
    Socket sock(mnl_socket_open(NETLINK_NETFILTER), mnl_socket_close);
    if (!sock) return fail_errno(Code::Kernel, "open nfnetlink socket", errno);
    if (mnl_socket_bind(sock.get(), 0, MNL_SOCKET_AUTOPID) < 0)
        return fail_errno(Code::Kernel, "bind nfnetlink socket", errno);
    return NftRuleReader(std::move(sock));
}

Expected<NftChainRules> NftRuleReader::chain_rules(ip::Family f, std::string_view table,
                                                   std::string_view chain) {
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
    const std::uint32_t seq = ++seq_;
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
    nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETRULE;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    nlh->nlmsg_seq = seq;
    auto* nfg = static_cast<nfgenmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(nfgenmsg)));
    nfg->nfgen_family = f == ip::Family::V4 ? AF_INET : AF_INET6;  // NFPROTO_IPV4/6
    nfg->version = NFNETLINK_V0;
    nfg->res_id = 0;
    mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, std::string(table).c_str());
    mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, std::string(chain).c_str());
    const std::string what =
        "read nf_tables chain " + std::string(table) + " " + std::string(chain);
    if (mnl_socket_sendto(sock_.get(), nlh, nlh->nlmsg_len) < 0)
        return fail_errno(Code::Kernel, what, errno);
    const auto portid = mnl_socket_get_portid(sock_.get());
    NftChainRules found;
    while (true) {
        auto n = mnl_socket_recvfrom(sock_.get(), buf.data(), buf.size());
        if (n < 0) return fail_errno(Code::Kernel, what, errno);
        int r = mnl_cb_run(buf.data(), static_cast<size_t>(n), seq, portid, on_rule, &found);
        if (r == MNL_CB_STOP) break;
        if (r < 0) {
            if (errno == ENOENT) return NftChainRules{};
            return fail_errno(Code::Kernel, what, errno);
        }
    }
    return found;
}

bool is_iptables_nft(const std::string& path) {
    std::error_code ec;
    const auto real = std::filesystem::canonical(path, ec);
    return !ec && real.filename().string().starts_with("xtables-nft-");
}

}  // namespace netlib::nat
