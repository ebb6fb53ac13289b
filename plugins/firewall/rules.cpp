#include "rules.hpp"

namespace firewall {

namespace {

std::string host_prefix(const netlib::ip::Addr& a) {
    return a.str() + (a.is_v4() ? "/32" : "/128");
}

std::vector<std::string> with_comment(std::vector<std::string> matches, const std::string& comment,
                                      const std::string& target) {
    matches.insert(matches.end(), {"-m", "comment", "--comment", comment, "-j", target});
    return matches;
}

const char* kDefaultIsolationComment =
    "CNI firewall plugin rules (ingressPolicy: same-bridge|isolated)";

}  // namespace

std::vector<std::string> chains_needed(const Config& c, bool isolation) {
    std::vector<std::string> v{kForwardChain, c.admin_chain};
    if (isolation) v.insert(v.end(), {kStage1, kStage2});
    return v;
}

std::vector<Rule> jump_rules(const Config& c) {
    return {
        {"FORWARD", with_comment({}, "CNI firewall plugin rules", kForwardChain), true},
        {kForwardChain, with_comment({}, "CNI firewall plugin admin overrides", c.admin_chain),
         true},
    };
}

std::vector<Rule> container_rules(const std::vector<netlib::ip::Addr>& ips) {
    std::vector<Rule> v;
    for (const auto& ip : ips) {
        v.push_back({kForwardChain,
                     {"-d", host_prefix(ip), "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED",
                      "-j", "ACCEPT"}});
        v.push_back({kForwardChain, {"-s", host_prefix(ip), "-j", "ACCEPT"}});
    }
    return v;
}

std::vector<Rule> isolation_rules(const Config& c, const std::string& bridge) {
    if (c.ingress == IngressPolicy::Open) return {};
    const bool isolated = c.ingress == IngressPolicy::Isolated;
    const std::string policy_comment = std::string("CNI firewall plugin rules (ingressPolicy: ") +
                                       (isolated ? "isolated" : "same-bridge") + ")";
    std::vector<Rule> v{
        {"FORWARD", with_comment({}, kDefaultIsolationComment, kStage1), true},
        {kStage1, with_comment({"-i", bridge, "!", "-o", bridge}, policy_comment, kStage2), true},
    };
    if (isolated)
        v.push_back(
            {kStage1, with_comment({"-i", bridge, "-o", bridge}, policy_comment, "DROP"), true});
    v.push_back({kStage1, with_comment({}, kDefaultIsolationComment, "RETURN")});
    v.push_back({kStage2, with_comment({"-o", bridge}, kDefaultIsolationComment, "DROP"), true});
    v.push_back({kStage2, with_comment({}, kDefaultIsolationComment, "RETURN")});
    return v;
}

}  // namespace firewall
