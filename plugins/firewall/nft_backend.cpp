#include "nft_backend.hpp"

#include <algorithm>
#include <set>

#include "netlib/nat/nft.hpp"

namespace firewall {

using netlib::Code;
using netlib::Expected;
using netlib::fail;
using nlohmann::json;

namespace {

struct TaggedRule {
    long long handle;
    std::string tag;
};

// Rules of our forward chain with their comments; empty when the table does not exist.
Expected<std::vector<TaggedRule>> tagged_rules(netlib::nat::Nft& nft) {
    auto j = NETLIB_TRY(nft.list(std::string("list table inet ") + kNftTable));
    std::vector<TaggedRule> v;
    if (!j.contains("nftables")) return v;
    for (const auto& item : j["nftables"]) {
        if (!item.contains("rule")) continue;
        const auto& r = item["rule"];
        if (r.value("chain", "") != "forward") continue;
        v.push_back({r.value("handle", 0LL), r.value("comment", std::string{})});
    }
    return v;
}

std::string delete_lines(const std::vector<TaggedRule>& rules, const std::string& tag) {
    std::string s;
    for (const auto& r : rules)
        if (r.tag == tag)
            s += std::string("delete rule inet ") + kNftTable + " forward handle " +
                 std::to_string(r.handle) + "\n";
    return s;
}

}  // namespace

Expected<> NftBackend::add(const Target& t) const {
    auto nft = NETLIB_TRY(netlib::nat::Nft::open());
    auto existing = NETLIB_TRY(tagged_rules(nft));
    // A repeated ADD replaces the container's rules in the same transaction.
    std::string script = std::string("add table inet ") + kNftTable + "\n" + "add chain inet " +
                         kNftTable +
                         " forward { type filter hook forward priority filter; policy accept; }\n" +
                         delete_lines(existing, tag_);
    for (const auto& ip : t.ips) {
        const std::string fam = ip.is_v4() ? "ip" : "ip6";
        const std::string tail = " comment \"" + tag_ + "\"\n";
        script += std::string("add rule inet ") + kNftTable + " forward " + fam + " daddr " +
                  ip.str() + " ct state established,related accept" + tail;
        script += std::string("add rule inet ") + kNftTable + " forward " + fam + " saddr " +
                  ip.str() + " accept" + tail;
    }
    return nft.run(script, "firewall ADD");
}

Expected<> NftBackend::del() const {
    auto nft = NETLIB_TRY(netlib::nat::Nft::open());
    auto lines = delete_lines(NETLIB_TRY(tagged_rules(nft)), tag_);
    if (lines.empty()) return {};
    return nft.run(lines, "firewall DEL");
}

Expected<> NftBackend::check(const Target& t) const {
    auto nft = NETLIB_TRY(netlib::nat::Nft::open());
    auto rules = NETLIB_TRY(tagged_rules(nft));
    auto mine = std::ranges::count_if(rules, [&](const TaggedRule& r) { return r.tag == tag_; });
    if (static_cast<std::size_t>(mine) != 2 * t.ips.size())
        return fail(Code::CheckFailed, "table inet " + std::string(kNftTable) + " holds " +
                                           std::to_string(mine) + " rules for " + tag_ +
                                           ", expected " + std::to_string(2 * t.ips.size()));
    return {};
}

Expected<> NftBackend::gc(const std::vector<netlib::cni::Attachment>& valid) {
    auto nft = NETLIB_TRY(netlib::nat::Nft::open());
    std::set<std::string> keep;
    for (const auto& a : valid) keep.insert(a.container_id + "/" + a.ifname);
    std::string script;
    for (const auto& r : NETLIB_TRY(tagged_rules(nft)))
        if (!keep.contains(r.tag))
            script += std::string("delete rule inet ") + kNftTable + " forward handle " +
                      std::to_string(r.handle) + "\n";
    if (script.empty()) return {};
    return nft.run(script, "firewall GC");
}

}  // namespace firewall
