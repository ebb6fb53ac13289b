#include "config.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <string_view>
#include <utility>

#include "netlib/cni/config_fields.hpp"

namespace firewall {

using netlib::Code;
using netlib::Expected;
using netlib::fail;

namespace {

// iptables chain names: at most 28 characters; we also keep to a conservative character set
// so a name can never inject words into a restore batch.
bool valid_chain_name(const std::string& n) {
    if (n.empty() || n.size() > 28 || n[0] == '-') return false;
    for (unsigned char c : n)
        if (!std::isalnum(c) && c != '-' && c != '_' && c != '.') return false;
    return true;
}

}  // namespace

Expected<Config> parse_config(const netlib::cni::Request& req) {
    const auto& cfg = req.config;
    Config c;
    auto backend = NETLIB_TRY(netlib::cni::get_string(cfg, "backend", "iptables"));
    if (backend == "firewalld")
        return fail(Code::InvalidConfig,
                    "backend \"firewalld\" is not supported: no firewalld here; use \"iptables\" "
                    "or \"nftables\"");
    if (backend == "nftables")
        c.backend = Backend::Nftables;
    else if (backend != "iptables" && !backend.empty())
        return fail(Code::InvalidConfig,
                    "unknown backend \"" + backend + "\" (supported: \"iptables\", \"nftables\")");
    c.admin_chain =
        NETLIB_TRY(netlib::cni::get_string(cfg, "iptablesAdminChainName", c.admin_chain));
    if (!valid_chain_name(c.admin_chain) || c.admin_chain == "CNI-FORWARD")
        return fail(Code::InvalidConfig,
                    "invalid \"iptablesAdminChainName\" \"" + c.admin_chain +
                        "\" (1-28 characters of A-Z a-z 0-9 - _ ., not CNI-FORWARD)");
    const std::string policy = NETLIB_TRY(netlib::cni::get_string(cfg, "ingressPolicy", "open"));
    static constexpr std::pair<std::string_view, IngressPolicy> kPolicies[] = {
        {"", IngressPolicy::Open},
        {"open", IngressPolicy::Open},
        {"same-bridge", IngressPolicy::SameBridge},
        {"isolated", IngressPolicy::Isolated}};
    const auto known = std::find_if(std::begin(kPolicies), std::end(kPolicies),
                                    [&](const auto& p) { return p.first == policy; });
    if (known == std::end(kPolicies))
        return fail(Code::InvalidConfig,
                    "unknown \"ingressPolicy\" \"" + policy + "\" (open, same-bridge or isolated)");
    c.ingress = known->second;
    if (c.backend == Backend::Nftables && c.ingress != IngressPolicy::Open)
        return fail(Code::InvalidConfig,
                    "ingressPolicy \"" + policy + "\" needs backend \"iptables\"");
    return c;
}

}  // namespace firewall
