// NftRuleReader against what iptables-nft writes (several reads on one socket): the rule count and
// jump targets of one chain, per family; a chain or table that does not exist reads as empty.
#include "netlib/nat/nft_chain_rules.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "shell.hpp"

using namespace netlib;
using namespace netlib::nat;
using nattest::sh;

TEST(NftChainRules, CountsRulesAndJumpsOfOneChain) {
    sh("iptables-nft -t nat -N NCR-A && iptables-nft -t nat -N NCR-B");
    sh("iptables-nft -t nat -A NCR-A -p tcp --dport 80 -j NCR-B");
    sh("iptables-nft -t nat -A NCR-A -m comment --comment x -j ACCEPT");
    sh("iptables-nft -t nat -A NCR-A -g NCR-B");
    sh("iptables-nft -t nat -A NCR-B -j MASQUERADE");
    auto reader = NftRuleReader::open();
    ASSERT_TRUE(reader) << reader.error().msg;
    auto nft_chain_rules = [&](ip::Family f, std::string_view table, std::string_view chain) {
        return reader->chain_rules(f, table, chain);
    };
    auto a = nft_chain_rules(ip::Family::V4, "nat", "NCR-A");
    ASSERT_TRUE(a) << a.error().msg;
    EXPECT_EQ(a->rules, 3u);
    EXPECT_EQ(a->jumps, (std::vector<std::string>{"NCR-B", "NCR-B"}));
    auto b = nft_chain_rules(ip::Family::V4, "nat", "NCR-B");
    ASSERT_TRUE(b);
    EXPECT_EQ(b->rules, 1u);
    EXPECT_TRUE(b->jumps.empty());
    // The other family's table of the same name is another table.
    auto v6 = nft_chain_rules(ip::Family::V6, "nat", "NCR-A");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->rules, 0u);
    auto none = nft_chain_rules(ip::Family::V4, "nat", "NCR-MISSING");
    ASSERT_TRUE(none);
    EXPECT_EQ(none->rules, 0u);
    auto no_table = nft_chain_rules(ip::Family::V4, "no-such-table", "X");
    ASSERT_TRUE(no_table);
    EXPECT_EQ(no_table->rules, 0u);
    sh("iptables-nft -t nat -F NCR-A && iptables-nft -t nat -F NCR-B && iptables-nft -t nat -X "
       "NCR-A && iptables-nft -t nat -X NCR-B");
}

TEST(NftChainRules, ToolFlavour) {
    EXPECT_TRUE(is_iptables_nft("/usr/sbin/iptables-nft-restore"));
    EXPECT_FALSE(is_iptables_nft("/usr/sbin/iptables-legacy-restore"));
    EXPECT_FALSE(is_iptables_nft("/nonexistent"));
}
