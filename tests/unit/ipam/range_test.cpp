// Range parsing and validation (table-driven), range sets, and the round-robin cursor.
#include <gtest/gtest.h>

#include "ipam/range_config.hpp"

using namespace ipam;
using nlohmann::json;

namespace {

ip::Addr A(const char* s) {
    return *ip::Addr::parse(s);
}

struct RangeCase {
    const char* name;
    const char* json;
    // Expected on success (empty error):
    const char* start;
    const char* end;
    const char* gateway;
    const char* error;  // substring of the message; code is always 7
};

const RangeCase kRangeCases[] = {
    {"v4_24_defaults", R"({"subnet":"10.0.0.0/24"})", "10.0.0.1", "10.0.0.254", "10.0.0.1", ""},
    {"v4_30_smallest", R"({"subnet":"10.0.0.0/30"})", "10.0.0.1", "10.0.0.2", "10.0.0.1", ""},
    {"v4_31_refused", R"({"subnet":"192.168.0.0/31"})", "", "", "",
     "Network 192.168.0.0/31 too small to allocate from"},
    {"v4_32_refused", R"({"subnet":"192.168.0.7/32"})", "", "", "",
     "Network 192.168.0.7/32 too small"},
    {"v4_0_whole_space", R"({"subnet":"0.0.0.0/0"})", "0.0.0.1", "255.255.255.254", "0.0.0.1", ""},
    {"v6_64_defaults", R"({"subnet":"2001:db8::/64"})", "2001:db8::1",
     "2001:db8::ffff:ffff:ffff:ffff", "2001:db8::1", ""},
    {"v6_126_smallest", R"({"subnet":"2001:db8::/126"})", "2001:db8::1", "2001:db8::3",
     "2001:db8::1", ""},
    {"v6_127_refused", R"({"subnet":"2001:db8::/127"})", "", "", "",
     "Network 2001:db8::/127 too small"},
    {"v6_128_refused", R"({"subnet":"2001:db8::1/128"})", "", "", "", "too small to allocate from"},
    {"host_bits", R"({"subnet":"10.0.0.5/24"})", "", "", "", "host bits set"},
    {"host_bits_names_network", R"({"subnet":"10.0.0.5/24"})", "", "", "",
     "network address is 10.0.0.0"},
    {"explicit_values",
     R"({"subnet":"10.0.0.0/24","rangeStart":"10.0.0.10","rangeEnd":"10.0.0.20","gateway":"10.0.0.254"})",
     "10.0.0.10", "10.0.0.20", "10.0.0.254", ""},
    {"start_equals_end",
     R"({"subnet":"10.0.0.0/24","rangeStart":"10.0.0.9","rangeEnd":"10.0.0.9"})", "10.0.0.9",
     "10.0.0.9", "10.0.0.1", ""},
    {"start_outside", R"({"subnet":"10.0.0.0/24","rangeStart":"10.0.1.5"})", "", "", "",
     "rangeStart 10.0.1.5 is not in subnet 10.0.0.0/24"},
    {"end_outside", R"({"subnet":"10.0.0.0/24","rangeEnd":"10.0.1.5"})", "", "", "",
     "rangeEnd 10.0.1.5 is not in subnet 10.0.0.0/24"},
    {"gateway_outside", R"({"subnet":"10.0.0.0/24","gateway":"10.9.0.1"})", "", "", "",
     "gateway 10.9.0.1 is not in subnet 10.0.0.0/24"},
    {"start_after_end",
     R"({"subnet":"10.0.0.0/24","rangeStart":"10.0.0.50","rangeEnd":"10.0.0.40"})", "", "", "",
     "rangeStart 10.0.0.50 is after rangeEnd 10.0.0.40"},
    {"start_after_default_end", R"({"subnet":"10.0.0.0/24","rangeStart":"10.0.0.255"})", "", "", "",
     "is after rangeEnd 10.0.0.254"},
    {"v6_start_in_v4_subnet", R"({"subnet":"10.0.0.0/24","rangeStart":"2001:db8::1"})", "", "", "",
     "rangeStart 2001:db8::1 is not in subnet"},
    {"subnet_missing", R"({"rangeStart":"10.0.0.1"})", "", "", "", "\"subnet\" is required"},
    {"subnet_garbage", R"({"subnet":"ten.0.0.0/8"})", "", "", "", "must be a CIDR"},
    {"subnet_no_prefix", R"({"subnet":"10.0.0.0"})", "", "", "", "must be a CIDR"},
    {"subnet_not_string", R"({"subnet":24})", "", "", "", "must be a CIDR"},
    {"start_not_ip", R"({"subnet":"10.0.0.0/24","rangeStart":"10.0.0"})", "", "", "",
     "\"rangeStart\" must be an IP address"},
    {"gateway_number", R"({"subnet":"10.0.0.0/24","gateway":1})", "", "", "",
     "\"gateway\" must be an IP address"},
    {"not_object", R"("10.0.0.0/24")", "", "", "", "must be an object"},
};

class RangeParse : public ::testing::TestWithParam<RangeCase> {};

TEST_P(RangeParse, Case) {
    const auto& c = GetParam();
    auto r = parse_range(json::parse(c.json), "ipam.ranges[0][0]");
    if (*c.error) {
        ASSERT_FALSE(r) << "accepted " << c.json;
        EXPECT_EQ(r.error().code, 7);
        EXPECT_NE(r.error().msg.find(c.error), std::string::npos) << r.error().msg;
        EXPECT_EQ(r.error().msg.rfind("ipam.ranges[0][0]", 0), 0u)
            << "message must name the range: " << r.error().msg;
        return;
    }
    ASSERT_TRUE(r) << r.error().msg;
    EXPECT_EQ(r->start, A(c.start));
    EXPECT_EQ(r->end, A(c.end));
    EXPECT_EQ(r->gateway, A(c.gateway));
}

INSTANTIATE_TEST_SUITE_P(Table, RangeParse, ::testing::ValuesIn(kRangeCases),
                         [](const auto& p) { return std::string(p.param.name); });

struct SetCase {
    const char* name;
    const char* json;  // [[...], ...]
    const char* error;
};

const SetCase kSetCases[] = {
    {"two_families_two_sets", R"([[{"subnet":"10.0.0.0/24"}],[{"subnet":"2001:db8::/64"}]])", ""},
    {"disjoint_ranges_same_subnet",
     R"([[{"subnet":"10.0.0.0/24","rangeStart":"10.0.0.2","rangeEnd":"10.0.0.100"},
          {"subnet":"10.0.0.0/24","rangeStart":"10.0.0.101","rangeEnd":"10.0.0.200"}]])",
     ""},
    {"mixed_families_in_set", R"([[{"subnet":"10.0.0.0/24"},{"subnet":"2001:db8::/64"}]])",
     "mixed address families"},
    {"overlap_in_set",
     R"([[{"subnet":"10.0.0.0/24"},{"subnet":"10.0.0.0/24","rangeStart":"10.0.0.100"}]])",
     "ranges 10.0.0.1-10.0.0.254 and 10.0.0.100-10.0.0.254 overlap"},
    {"nested_subnets_in_set", R"([[{"subnet":"10.0.0.0/16"},{"subnet":"10.0.5.0/24"}]])",
     "overlap"},
    {"empty_set", R"([[]])", "empty range set"},
    {"set_not_list", R"([{"subnet":"10.0.0.0/24"}])", "must be a list of ranges"},
    {"not_list", R"({"subnet":"10.0.0.0/24"})", "must be a list of range sets"},
    {"sets_overlap", R"([[{"subnet":"10.0.0.0/24"}],[{"subnet":"10.0.0.128/25"}]])",
     "range set 0 (10.0.0.1-10.0.0.254) overlaps with range set 1"},
    {"sets_overlap_v6", R"([[{"subnet":"2001:db8::/64"}],[{"subnet":"2001:db8::/120"}]])",
     "overlaps with range set 1"},
    {"error_names_inner_range",
     R"([[{"subnet":"10.0.0.0/24"}],[{"subnet":"10.1.0.0/24"},{"subnet":"10.2.0.0/31"}]])",
     "ipam.ranges[1][1]: Network 10.2.0.0/31 too small"},
};

class RangeSets : public ::testing::TestWithParam<SetCase> {};

TEST_P(RangeSets, Case) {
    const auto& c = GetParam();
    auto sets = parse_range_sets(json::parse(c.json), "ipam.ranges");
    netlib::Expected<> r = sets ? check_disjoint(*sets) : std::unexpected(sets.error());
    if (*c.error) {
        ASSERT_FALSE(r) << "accepted " << c.json;
        EXPECT_EQ(r.error().code, 7);
        EXPECT_NE(r.error().msg.find(c.error), std::string::npos) << r.error().msg;
    } else {
        EXPECT_TRUE(r) << r.error().msg;
    }
}

INSTANTIATE_TEST_SUITE_P(Table, RangeSets, ::testing::ValuesIn(kSetCases),
                         [](const auto& p) { return std::string(p.param.name); });

RangeSet set_of(const char* j) {
    return *parse_range_set(json::parse(j), "t");
}

std::vector<std::string> walk(const RangeSet& s, std::optional<const char*> last) {
    Cursor c(s, last ? std::optional<ip::Addr>(A(*last)) : std::nullopt);
    std::vector<std::string> out;
    while (auto p = c.next()) {
        out.push_back(p->addr.str());
        if (out.size() > 1000) break;
    }
    return out;
}

using V = std::vector<std::string>;

TEST(Cursor, SkipsGatewayAndBroadcast) {
    EXPECT_EQ(walk(set_of(R"([{"subnet":"10.0.0.0/30"}])"), std::nullopt), V{"10.0.0.2"});
    EXPECT_EQ(walk(set_of(R"([{"subnet":"10.0.0.0/29"}])"), std::nullopt),
              (V{"10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"}));
}

TEST(Cursor, StartsAfterLastAndWraps) {
    EXPECT_EQ(walk(set_of(R"([{"subnet":"10.0.0.0/29"}])"), "10.0.0.4"),
              (V{"10.0.0.5", "10.0.0.6", "10.0.0.2", "10.0.0.3", "10.0.0.4"}));
    EXPECT_EQ(walk(set_of(R"([{"subnet":"10.0.0.0/29"}])"), "10.0.0.6"),
              (V{"10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"}));
}

TEST(Cursor, LastOutsideSetStartsAtFirstRange) {
    EXPECT_EQ(walk(set_of(R"([{"subnet":"10.0.0.0/30"}])"), "192.168.1.1"), V{"10.0.0.2"});
    EXPECT_EQ(walk(set_of(R"([{"subnet":"10.0.0.0/30"}])"), "2001:db8::1"), V{"10.0.0.2"});
}

TEST(Cursor, CrossesRangesInOrder) {
    auto s =
        set_of(R"([{"subnet":"10.0.0.0/30"},{"subnet":"10.0.1.0/29","rangeStart":"10.0.1.5"}])");
    EXPECT_EQ(walk(s, std::nullopt), (V{"10.0.0.2", "10.0.1.5", "10.0.1.6"}));
    EXPECT_EQ(walk(s, "10.0.0.2"), (V{"10.0.1.5", "10.0.1.6", "10.0.0.2"}));
    EXPECT_EQ(walk(s, "10.0.1.6"), (V{"10.0.0.2", "10.0.1.5", "10.0.1.6"}));
}

TEST(Cursor, GatewayInsideRangeIsSkipped) {
    EXPECT_EQ(
        walk(set_of(R"([{"subnet":"10.0.0.0/29","rangeStart":"10.0.0.1","gateway":"10.0.0.3"}])"),
             std::nullopt),
        (V{"10.0.0.1", "10.0.0.2", "10.0.0.4", "10.0.0.5", "10.0.0.6"}));
}

TEST(Cursor, V6SmallestAndWholeWordCarry) {
    EXPECT_EQ(walk(set_of(R"([{"subnet":"2001:db8::/126"}])"), std::nullopt),
              (V{"2001:db8::2", "2001:db8::3"}));
    auto s = set_of(
        R"([{"subnet":"2001:db8::/64","rangeStart":"2001:db8::fffe","rangeEnd":"2001:db8::1:1"}])");
    EXPECT_EQ(walk(s, std::nullopt),
              (V{"2001:db8::fffe", "2001:db8::ffff", "2001:db8::1:0", "2001:db8::1:1"}));
}

TEST(Cursor, OnlyGatewayYieldsNothing) {
    EXPECT_TRUE(
        walk(set_of(R"([{"subnet":"10.0.0.0/24","rangeStart":"10.0.0.1","rangeEnd":"10.0.0.1"}])"),
             std::nullopt)
            .empty());
}

}  // namespace
