// The restore batches ADD/DEL/GC send and what CHECK accepts, from given nat tables. A small
// model of iptables-restore (-A/-D/-F/-X/:chain) applies batches so sequences (ADD twice,
// ADD then DEL next to another container) can be checked without root.
#include <gtest/gtest.h>

#include <algorithm>

#include "netlib/nat/iptables_masq_rules.hpp"
#include "netlib/nat/names.hpp"

namespace {

using namespace netlib::nat;
using netlib::ip::Family;
using netlib::ip::Net;

MasqRequest req(std::string net, std::string id, std::initializer_list<std::string_view> ips) {
    MasqRequest r{std::move(net), std::move(id), {}};
    for (auto s : ips) r.ips.push_back(*Net::parse(s));
    return r;
}

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
    for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
        s.replace(pos, from.size(), to);
    return s;
}

SavedTable parse(std::string_view text) {
    auto t = parse_iptables_save(text, "nat");
    EXPECT_TRUE(t) << t.error().msg;
    return t ? *t : SavedTable{};
}

// Minimal iptables-restore --noflush model over the rule text; fails the test on the
// errors the real tool would report (missing rule/chain, deleting a referenced chain).
SavedTable apply_batch(SavedTable t, std::string_view batch) {
    std::string_view rest = batch;
    while (!rest.empty()) {
        auto nl = rest.find('\n');
        std::string line(rest.substr(0, nl));
        rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
        if (line.empty() || line == "*nat" || line == "COMMIT") continue;
        if (line[0] == ':') {
            std::string chain = line.substr(1, line.find(' ') - 1);
            if (!t.has_chain(chain)) t.chains.push_back(chain);
            std::erase_if(t.rules, [&](const SavedRule& r) { return r.chain == chain; });
            continue;
        }
        std::string op = line.substr(0, 2), tail = line.substr(3);
        std::string chain = tail.substr(0, tail.find(' '));
        if (op == "-A") {
            auto one = parse_iptables_save("*nat\n-A " + tail + "\nCOMMIT\n", "nat");
            EXPECT_TRUE(t.has_chain(chain) || chain == "POSTROUTING") << line;
            t.rules.push_back(one->rules.at(0));
        } else if (op == "-D") {
            std::string spec = tail.substr(chain.size() + 1);
            auto it = std::find_if(t.rules.begin(), t.rules.end(), [&](const SavedRule& r) {
                return r.chain == chain && r.spec == spec;
            });
            EXPECT_NE(it, t.rules.end()) << "no such rule: " << line;
            if (it != t.rules.end()) t.rules.erase(it);
        } else if (op == "-F") {
            EXPECT_TRUE(t.has_chain(chain)) << line;
            std::erase_if(t.rules, [&](const SavedRule& r) { return r.chain == chain; });
        } else if (op == "-X") {
            EXPECT_TRUE(t.has_chain(chain)) << line;
            for (const auto& r : t.rules)
                EXPECT_NE(r.target(), chain) << "still referenced: " << line;
            std::erase(t.chains, chain);
        } else {
            ADD_FAILURE() << "unexpected batch line: " << line;
        }
    }
    return t;
}

bool mentions(const SavedTable& t, std::string_view chain) {
    return t.has_chain(chain) ||
           std::any_of(t.rules.begin(), t.rules.end(),
                       [&](const SavedRule& r) { return r.chain == chain || r.target() == chain; });
}

constexpr std::string_view kBase =
    "*nat\n:PREROUTING ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
    "-A POSTROUTING -o eth9 -j MASQUERADE\nCOMMIT\n";

TEST(MasqAddBatch, FromEmptyTableV4) {
    const auto r = req("mynet", "c1", {"10.1.0.5/24"});
    const std::string want = replace_all(R"(*nat
:{C} - [0:0]
-A {C} -d 10.1.0.0/24 -m comment --comment "name: \"mynet\" id: \"c1\"" -j ACCEPT
-A {C} ! -d 224.0.0.0/4 -m comment --comment "name: \"mynet\" id: \"c1\"" -j MASQUERADE
-A POSTROUTING -s 10.1.0.5/32 -m comment --comment "name: \"mynet\" id: \"c1\"" -j {C}
COMMIT
)",
                                         "{C}", masq_chain_name("mynet", "c1"));
    EXPECT_EQ(masq_add_batch(r, Family::V4, parse(kBase)), want);
}

// The unread path: the same rules, but `-N` so that iptables-restore refuses the batch when
// the chain exists (an earlier ADD), instead of leaving that ADD's jumps beside new ones.
TEST(MasqAddBatch, NewContainerBatchCreatesTheChainOrFails) {
    for (const auto& r :
         {req("mynet", "c1", {"10.1.0.5/24"}), req("mynet", "c2", {"10.1.0.6/24", "fd00::6/64"})}) {
        for (auto f : {Family::V4, Family::V6}) {
            const std::string chain = masq_chain_name(r.network, r.container_id);
            const std::string read = masq_add_batch(r, f, parse(kBase));
            const std::string unread = masq_new_container_add_batch(r, f);
            EXPECT_EQ(unread, replace_all(read, ":" + chain + " - [0:0]\n", "-N " + chain + "\n"));
            EXPECT_EQ(unread.find("\n:"), std::string::npos) << "declaring would flush: " << unread;
            EXPECT_EQ(unread.find("-D "), std::string::npos) << unread;
        }
    }
}

TEST(MasqAddBatch, V6OnlyTakesV6AddressesAndMulticast) {
    const auto r = req("n6", "c6", {"10.1.0.5/24", "fd00:1::5/64"});
    const std::string want = replace_all(R"(*nat
:{C} - [0:0]
-A {C} -d fd00:1::/64 -m comment --comment "name: \"n6\" id: \"c6\"" -j ACCEPT
-A {C} ! -d ff00::/8 -m comment --comment "name: \"n6\" id: \"c6\"" -j MASQUERADE
-A POSTROUTING -s fd00:1::5/128 -m comment --comment "name: \"n6\" id: \"c6\"" -j {C}
COMMIT
)",
                                         "{C}", masq_chain_name("n6", "c6"));
    EXPECT_EQ(masq_add_batch(r, Family::V6, SavedTable{}), want);
}

TEST(MasqAddBatch, AllAcceptsBeforeMasqueradeAndNoDuplicates) {
    const auto r = req("n", "c", {"10.1.0.5/24", "10.2.0.7/16", "10.1.0.5/24", "10.1.0.9/24"});
    auto t = apply_batch(SavedTable{}, masq_add_batch(r, Family::V4, SavedTable{}));
    const auto chain = masq_chain_name("n", "c");
    std::vector<std::string> in_chain, jumps;
    for (const auto& rule : t.rules) {
        if (rule.chain == chain)
            in_chain.push_back(rule.target() + " " + rule.option("-d")->value);
        else
            jumps.push_back(rule.option("-s")->value);
    }
    EXPECT_EQ(in_chain, (std::vector<std::string>{"ACCEPT 10.1.0.0/24", "ACCEPT 10.2.0.0/16",
                                                  "MASQUERADE 224.0.0.0/4"}));
    EXPECT_EQ(jumps, (std::vector<std::string>{"10.1.0.5/32", "10.2.0.7/32", "10.1.0.9/32"}));
}

TEST(MasqAddBatch, ReplacesOldJumpsToTheChain) {
    const auto chain = masq_chain_name("mynet", "c1");
    // An earlier ADD with another address (and a stray duplicate jump from elsewhere).
    const auto old = parse(replace_all(R"(*nat
:POSTROUTING ACCEPT [0:0]
:{C} - [0:0]
:OTHER - [0:0]
-A POSTROUTING -s 10.1.0.4/32 -m comment --comment "name: \"mynet\" id: \"c1\"" -j {C}
-A OTHER -j {C}
-A {C} -d 10.1.0.0/24 -m comment --comment "name: \"mynet\" id: \"c1\"" -j ACCEPT
COMMIT
)",
                                       "{C}", chain));
    const auto batch = masq_add_batch(req("mynet", "c1", {"10.1.0.5/24"}), Family::V4, old);
    EXPECT_NE(
        batch.find(
            R"(-D POSTROUTING -s 10.1.0.4/32 -m comment --comment "name: \"mynet\" id: \"c1\"" -j )" +
            chain + "\n"),
        std::string::npos)
        << batch;
    EXPECT_NE(batch.find("-D OTHER -j " + chain + "\n"), std::string::npos) << batch;
    auto after = apply_batch(old, batch);
    auto jumps = std::count_if(after.rules.begin(), after.rules.end(),
                               [&](const SavedRule& r) { return r.target() == chain; });
    EXPECT_EQ(jumps, 1);
}

TEST(MasqAddBatch, AddTwiceYieldsTheSameTable) {
    const auto r = req("mynet", "c1", {"10.1.0.5/24"});
    auto once = apply_batch(parse(kBase), masq_add_batch(r, Family::V4, parse(kBase)));
    auto twice = apply_batch(once, masq_add_batch(r, Family::V4, once));
    ASSERT_EQ(once.rules.size(), twice.rules.size());
    for (std::size_t i = 0; i < once.rules.size(); ++i) {
        EXPECT_EQ(once.rules[i].chain, twice.rules[i].chain);
        EXPECT_EQ(once.rules[i].spec, twice.rules[i].spec);
    }
    EXPECT_TRUE(masq_check_rules(r, Family::V4, twice));
}

TEST(MasqDelBatch, NothingToDoIsEmpty) {
    EXPECT_EQ(masq_del_batch(masq_chain_name("n", "c"), SavedTable{}), "");
    EXPECT_EQ(masq_del_batch(masq_chain_name("n", "c"), parse(kBase)), "");
}

TEST(MasqDelBatch, RemovesJumpsThenChainLeavingOthers) {
    const auto a = req("mynet", "a", {"10.1.0.5/24", "10.1.0.6/24"});
    const auto b = req("mynet", "b", {"10.1.0.7/24"});
    auto t = apply_batch(parse(kBase), masq_add_batch(a, Family::V4, parse(kBase)));
    t = apply_batch(t, masq_add_batch(b, Family::V4, t));
    const auto chain_a = masq_chain_name("mynet", "a");
    const std::string want = replace_all(R"(*nat
-D POSTROUTING -s 10.1.0.5/32 -m comment --comment "name: \"mynet\" id: \"a\"" -j {C}
-D POSTROUTING -s 10.1.0.6/32 -m comment --comment "name: \"mynet\" id: \"a\"" -j {C}
-F {C}
-X {C}
COMMIT
)",
                                         "{C}", chain_a);
    EXPECT_EQ(masq_del_batch(chain_a, t), want);
    auto after = apply_batch(t, want);
    EXPECT_FALSE(mentions(after, chain_a));
    EXPECT_TRUE(masq_check_rules(b, Family::V4, after));
    EXPECT_EQ(masq_del_batch(chain_a, after), "");
}

TEST(MasqDelBatch, DanglingJumpOrEmptyChainAlone) {
    const auto chain = masq_chain_name("n", "c");
    auto jump_only = parse("*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -s 10.0.0.1/32 -j " +
                           chain + "\nCOMMIT\n");
    EXPECT_EQ(masq_del_batch(chain, jump_only),
              "*nat\n-D POSTROUTING -s 10.0.0.1/32 -j " + chain + "\nCOMMIT\n");
    auto chain_only = parse("*nat\n:" + chain + " - [0:0]\nCOMMIT\n");
    EXPECT_EQ(masq_del_batch(chain, chain_only),
              "*nat\n-F " + chain + "\n-X " + chain + "\nCOMMIT\n");
}

TEST(MasqGcBatch, RemovesOnlyInvalidContainersOfTheNetwork) {
    SavedTable t = parse(kBase);
    for (const auto& r :
         {req("net1", "keep", {"10.1.0.2/24"}), req("net1", "gone", {"10.1.0.3/24"}),
          req("net1", "gone2", {"10.1.0.4/24"}), req("net2", "other", {"10.2.0.2/24"})})
        t = apply_batch(t, masq_add_batch(r, Family::V4, t));
    // A portmap-style chain with its own comment format must survive.
    t = apply_batch(t,
                    "*nat\n:CNI-DN-x - [0:0]\n-A CNI-DN-x -m comment --comment \"dnat name: "
                    "\\\"net1\\\" id: \\\"gone\\\"\" -j RETURN\nCOMMIT\n");
    const std::vector<std::string> valid = {"keep", "unrelated"};
    auto batch = masq_gc_batch("net1", valid, t);
    auto after = apply_batch(t, batch);
    EXPECT_FALSE(mentions(after, masq_chain_name("net1", "gone")));
    EXPECT_FALSE(mentions(after, masq_chain_name("net1", "gone2")));
    EXPECT_TRUE(masq_check_rules(req("net1", "keep", {"10.1.0.2/24"}), Family::V4, after));
    EXPECT_TRUE(masq_check_rules(req("net2", "other", {"10.2.0.2/24"}), Family::V4, after));
    EXPECT_TRUE(after.has_chain("CNI-DN-x"));
    EXPECT_EQ(masq_gc_batch("net1", valid, after), "");
    EXPECT_EQ(masq_gc_batch("net3", {}, after), "");
}

TEST(MasqGcBatch, IgnoresLookAlikeCommentOnForeignChain) {
    auto t = parse(
        "*nat\n:MINE - [0:0]\n-A MINE -m comment --comment \"name: \\\"n\\\" id: \\\"x\\\"\" -j "
        "RETURN\nCOMMIT\n");
    EXPECT_EQ(masq_gc_batch("n", {}, t), "");
}

// net + id beyond the 255 bytes iptables keeps: comment cut up front, still found by GC.
TEST(MasqLongNames, CommentCutAndStillManaged) {
    const std::string net(200, 'n'), keep(64, 'k'), gone(64, 'g');
    const auto rk = req(net, keep, {"10.1.0.2/24"}), rg = req(net, gone, {"10.1.0.3/24"});
    auto t = apply_batch(parse(kBase), masq_add_batch(rk, Family::V4, parse(kBase)));
    t = apply_batch(t, masq_add_batch(rg, Family::V4, t));
    for (const auto& r : t.rules) {
        if (r.chain == "POSTROUTING" && r.target() == "MASQUERADE") continue;
        EXPECT_EQ(r.comment().size(), 255u);
        EXPECT_EQ(r.comment(),
                  owner_comment(net, keep).substr(0, 255).substr(0, 200) + r.comment().substr(200));
    }
    EXPECT_TRUE(masq_check_rules(rk, Family::V4, t));
    const std::vector<std::string> valid = {keep};
    t = apply_batch(t, masq_gc_batch(net, valid, t));
    EXPECT_FALSE(mentions(t, masq_chain_name(net, gone)));
    EXPECT_TRUE(masq_check_rules(rk, Family::V4, t));
    // Another network whose name only shares a prefix is not touched.
    EXPECT_EQ(masq_gc_batch(net.substr(0, 199), {}, t), "");
    EXPECT_EQ(masq_gc_batch(net + "x", {}, t), "");
}

TEST(MasqCheck, ReportsWhatIsMissing) {
    const auto r = req("mynet", "c1", {"10.1.0.5/24", "fd00::5/64"});
    const auto full4 = apply_batch(parse(kBase), masq_add_batch(r, Family::V4, parse(kBase)));
    const auto full6 = apply_batch(SavedTable{}, masq_add_batch(r, Family::V6, SavedTable{}));
    EXPECT_TRUE(masq_check_rules(r, Family::V4, full4));
    EXPECT_TRUE(masq_check_rules(r, Family::V6, full6));

    auto no_v4 = masq_check_rules(r, Family::V4, parse(kBase));
    ASSERT_FALSE(no_v4);
    EXPECT_EQ(no_v4.error().code, static_cast<int>(netlib::Code::CheckFailed));
    EXPECT_NE(no_v4.error().msg.find("does not exist"), std::string::npos);

    struct Case {
        std::string_view drop_target;  // rule removed from the complete table
        std::string_view want;
    };
    for (auto c : {Case{"ACCEPT", "ACCEPT rule for 10.1.0.0/24"}, Case{"MASQUERADE", "MASQUERADE"},
                   Case{"CNI-", "POSTROUTING lacks the jump"}}) {
        auto t = full4;
        std::erase_if(t.rules, [&](const SavedRule& rule) {
            return rule.target().starts_with(c.drop_target);
        });
        auto res = masq_check_rules(r, Family::V4, t);
        ASSERT_FALSE(res) << c.drop_target;
        EXPECT_NE(res.error().msg.find(c.want), std::string::npos) << res.error().msg;
    }
    // Same rules owned by another comment do not count.
    auto foreign = parse(replace_all(R"(*nat
:{C} - [0:0]
-A POSTROUTING -s 10.1.0.5/32 -j {C}
-A {C} -d 10.1.0.0/24 -j ACCEPT
-A {C} ! -d 224.0.0.0/4 -j MASQUERADE
COMMIT
)",
                                     "{C}", masq_chain_name("mynet", "c1")));
    EXPECT_FALSE(masq_check_rules(r, Family::V4, foreign));
}

// The blind DEL batch is exactly the inverse of what ADD appends on a clean table: every
// -A of the add batch that targets the chain becomes a -D, then the chain goes.
TEST(MasqKnownDel, InvertsTheAddBatchPerFamily) {
    const auto r = req("mynet", "c1", {"10.1.0.5/24", "10.1.0.6/24", "fd00::5/64"});
    const std::string chain = masq_chain_name("mynet", "c1");
    const std::string add = masq_add_batch(r, Family::V4, SavedTable{});
    const std::string del = masq_known_del_batch(r, Family::V4);
    int jumps = 0;
    for (std::size_t at = 0; (at = add.find("-A POSTROUTING ", at)) != std::string::npos; ++at) {
        const std::string line = add.substr(at + 3, add.find('\n', at) - at - 3);
        EXPECT_NE(del.find("-D " + line + "\n"), std::string::npos) << line << "\n" << del;
        ++jumps;
    }
    EXPECT_EQ(jumps, 2);
    EXPECT_TRUE(del.starts_with("*nat\n")) << del;
    EXPECT_TRUE(del.ends_with("-F " + chain + "\n-X " + chain + "\nCOMMIT\n")) << del;
    EXPECT_EQ(del.find("fd00"), std::string::npos) << "IPv6 address in the IPv4 batch";
    EXPECT_NE(masq_known_del_batch(r, Family::V6).find("-s fd00::5/128"), std::string::npos);
}

}  // namespace
