// NftBatch against tables nft itself declared: elements read back through nft exactly as
// elements nft wrote would (keys, values, comments), chains and rules are encoded
// expression for expression as nft encodes the same text, and a refused batch changes
// nothing.
#include "netlib/nat/nft_batch.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "shell.hpp"

using namespace netlib;
using namespace netlib::nat;
using nattest::count;
using nattest::out;
using nattest::sh;

namespace {

NftSetElement elem(const std::string& set, const std::string& key, const std::string& value,
                   const std::string& comment) {
    NftSetElement e{.set = set, .key = *nft_encode_data(key), .comment = comment};
    if (!value.empty()) e.value = *nft_encode_data(value);
    return e;
}

class NftBatchTable : public ::testing::Test {
  protected:
    void SetUp() override {
        sh("nft 'add table inet nse_test; "
           "add map inet nse_test m { type inet_proto . inet_service : ipv4_addr . inet_service; }; "
           "add set inet nse_test s { type ifname . ipv6_addr; }'");
    }
    void TearDown() override { (void)std::system("nft delete table inet nse_test 2>/dev/null"); }
    static std::string listing(const char* what) {
        return out(std::string("nft list ") + what + " inet nse_test " + (what[0] == 'm' ? "m" : "s"));
    }
};

}  // namespace

TEST_F(NftBatchTable, AddedElementsReadBackAsNftWritesThem) {
    std::vector<NftSetElement> add{elem("m", "tcp . 8080", "10.1.0.2 . 80", "net=a id=1"),
                                   elem("m", "udp . 53", "10.1.0.3 . 5353", ""),
                                   elem("s", "\"br0\" . fd00::2", "", "id=1")};
    ASSERT_TRUE(nft_apply_elements(NftElementOp::Add, "nse_test", add));
    const auto m = listing("map"), s = listing("set");
    EXPECT_NE(m.find("tcp . 8080 comment \"net=a id=1\" : 10.1.0.2 . 80"), std::string::npos) << m;
    EXPECT_NE(m.find("udp . 53 : 10.1.0.3 . 5353"), std::string::npos) << m;
    EXPECT_NE(s.find("\"br0\" . fd00::2 comment \"id=1\""), std::string::npos) << s;
    // The same element again is not an error (nft's "add element").
    EXPECT_TRUE(nft_apply_elements(NftElementOp::Add, "nse_test", add));
    // nft can delete what we wrote, and we can delete what nft wrote.
    sh("nft delete element inet nse_test m '{ udp . 53 }'");
    sh("nft add element inet nse_test s '{ \"br1\" . fd00::9 }'");
    std::vector<NftSetElement> del{elem("m", "tcp . 8080", "", ""), elem("s", "\"br0\" . fd00::2", "", ""),
                                   elem("s", "\"br1\" . fd00::9", "", "")};
    ASSERT_TRUE(nft_apply_elements(NftElementOp::Delete, "nse_test", del));
    EXPECT_EQ(listing("map").find("elements"), std::string::npos) << listing("map");
    EXPECT_EQ(listing("set").find("elements"), std::string::npos) << listing("set");
}

TEST_F(NftBatchTable, ARefusedBatchChangesNothing) {
    // A set that does not exist, after an element of one that does.
    std::vector<NftSetElement> add{elem("m", "tcp . 8080", "10.1.0.2 . 80", ""),
                                   elem("zz_missing", "tcp . 1", "", "")};
    auto r = nft_apply_elements(NftElementOp::Add, "nse_test", add);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().sys_errno, ENOENT) << r.error().msg;
    EXPECT_EQ(listing("map").find("elements"), std::string::npos) << listing("map");
    // Deleting one present and one absent element: refused whole, the present one stays.
    ASSERT_TRUE(nft_apply_elements(NftElementOp::Add, "nse_test",
                                   std::vector{elem("m", "tcp . 8080", "10.1.0.2 . 80", "")}));
    auto d = nft_apply_elements(NftElementOp::Delete, "nse_test",
                                std::vector{elem("m", "tcp . 8080", "", ""), elem("m", "tcp . 9", "", "")});
    EXPECT_FALSE(d);
    EXPECT_NE(listing("map").find("tcp . 8080"), std::string::npos) << listing("map");
    // A different value under an existing key is refused, the old mapping stays.
    EXPECT_FALSE(nft_apply_elements(NftElementOp::Add, "nse_test",
                                    std::vector{elem("m", "tcp . 8080", "10.1.0.9 . 80", "")}));
    EXPECT_NE(listing("map").find("10.1.0.2 . 80"), std::string::npos) << listing("map");
    // A comment longer than nft's userdata holds: nothing is sent.
    EXPECT_FALSE(nft_apply_elements(NftElementOp::Add, "nse_test",
                                    std::vector{elem("m", "udp . 7", "10.1.0.2 . 80", std::string(255, 'c'))}));
    EXPECT_EQ(listing("map").find("udp . 7"), std::string::npos) << listing("map");
    // No table at all.
    EXPECT_FALSE(nft_apply_elements(NftElementOp::Add, "nse_no_such_table",
                                    std::vector{elem("m", "tcp . 1", "10.1.0.2 . 80", "")}));
}

// The kernel's view of a chain's rules, one line per expression, as nft --debug prints it;
// handles and the chain's own name are cut so two chains compare.
static std::string expressions(const std::string& chain) {
    std::string text = out("nft --debug=netlink list chain inet nse_test " + chain + " 2>&1");
    std::string lines;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto nl = text.find('\n', pos);
        std::string line = text.substr(pos, nl - pos);
        pos = nl == std::string::npos ? text.size() : nl + 1;
        if (line.starts_with("  [")) lines += line + "\n";
    }
    return lines;
}

TEST_F(NftBatchTable, RulesAndChainsAreEncodedAsNftEncodesThem) {
    const std::vector<std::string> nets = {"10.0.0.0/8",  "10.61.0.0/16", "10.61.0.0/20",
                                           "10.61.3.0/24", "10.61.3.7/32", "224.0.0.0/4",
                                           "ff00::/8",     "fd00:61::/60", "fd00:61::/64",
                                           "fd00:61::9/128"};
    std::string script = "add chain inet nse_test by_nft { comment \"owner x\"; }\n";
    NftBatch batch("nse_test");
    batch.add_chain("direct", "owner x");
    for (const auto& n : nets) {
        script += std::string("add rule inet nse_test by_nft ") + (n.find(':') == std::string::npos ? "ip" : "ip6") +
                  " daddr " + n + " accept\n";
        auto rule = NftRule::daddr_accept(*ip::Net::parse(n));
        ASSERT_TRUE(rule) << n;
        batch.add_rule("direct", *rule);
    }
    script += "add rule inet nse_test by_nft masquerade\n";
    batch.add_rule("direct", NftRule::masquerade());
    sh("nft 'add map inet nse_test v4 { type ipv4_addr : verdict; }'");
    sh("nft -f - <<'EOF'\n" + script + "EOF");
    std::vector<NftSetElement> vmap{
        {.set = "v4", .key = *nft_encode_data("10.61.3.7"), .jump = "direct"}};
    batch.elements(NftElementOp::Add, vmap);
    ASSERT_TRUE(batch.commit("test"));
    const auto ours = expressions("direct"), theirs = expressions("by_nft");
    EXPECT_FALSE(ours.empty());
    EXPECT_EQ(ours, theirs);
    const auto listing = out("nft list chain inet nse_test direct");
    EXPECT_NE(listing.find("comment \"owner x\""), std::string::npos) << listing;
    EXPECT_NE(listing.find("ip daddr 10.61.0.0/20 accept"), std::string::npos) << listing;
    const auto map = out("nft list map inet nse_test v4");
    EXPECT_NE(map.find("10.61.3.7 : jump direct"), std::string::npos) << map;
    EXPECT_FALSE(NftRule::daddr_accept(*ip::Net::parse("0.0.0.0/0"))) << "a /0 is left to libnftables";
}
