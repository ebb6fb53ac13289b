#include "netlib/netlink/mac.hpp"

#include <gtest/gtest.h>

#include <set>

namespace nl = netlib::netlink;

namespace {

struct ParseCase {
    const char* text;
    bool ok;
    nl::Mac bytes;
};

TEST(Mac, ParseTable) {
    const ParseCase cases[] = {
        {"aa:bb:cc:dd:ee:ff", true, {0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}},
        {"AA:Bb:0c:D0:e1:F2", true, {0xaa, 0xbb, 0x0c, 0xd0, 0xe1, 0xf2}},
        {"00:00:00:00:00:00", true, {}},
        {"", false, {}},
        {"aa:bb:cc:dd:ee", false, {}},           // too short
        {"aa:bb:cc:dd:ee:ff:00", false, {}},     // too long
        {"aa-bb-cc-dd-ee-ff", false, {}},        // wrong separator
        {"aa:bb:cc:dd:ee:fg", false, {}},        // not hex
        {"aabb:cc:dd:ee:ff:0", false, {}},       // separators misplaced
        {"a:bb:cc:dd:ee:fff", false, {}},
        {" aa:bb:cc:dd:ee:f", false, {}},
    };
    for (const auto& c : cases) {
        auto m = nl::parse_mac(c.text);
        EXPECT_EQ(m.has_value(), c.ok) << c.text;
        if (m && c.ok) {
            EXPECT_EQ(*m, c.bytes) << c.text;
        }
    }
}

TEST(Mac, FormatIsLowercaseColonSeparated) {
    nl::Mac m{0x02, 0xAB, 0x00, 0x10, 0xff, 0x7e};
    EXPECT_EQ(nl::format_mac(m.data(), m.size()), "02:ab:00:10:ff:7e");
    EXPECT_EQ(nl::format_mac(m.data(), 0), "");
    // Round trip.
    EXPECT_EQ(nl::parse_mac(nl::format_mac(m.data(), m.size())), m);
}

TEST(Mac, RandomIsLocallyAdministeredUnicast) {
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        auto text = nl::random_mac();
        auto m = nl::parse_mac(text);
        ASSERT_TRUE(m) << text;
        EXPECT_EQ((*m)[0] & 0x01, 0) << "multicast bit set: " << text;
        EXPECT_EQ((*m)[0] & 0x02, 0x02) << "not locally administered: " << text;
        seen.insert(text);
    }
    EXPECT_GT(seen.size(), 190u);  // 46 random bits: collisions here would mean no randomness
}

TEST(RandomName, PrefixPlusEightHexDigits) {
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        auto n = nl::random_name("veth");
        ASSERT_EQ(n.size(), 12u) << n;
        EXPECT_TRUE(n.starts_with("veth")) << n;
        EXPECT_EQ(n.find_first_not_of("0123456789abcdef", 4), std::string::npos) << n;
        seen.insert(n);
    }
    EXPECT_GT(seen.size(), 195u);
    EXPECT_LE(nl::random_name("veth").size(), 15u);  // fits IFNAMSIZ with the usual prefixes
    EXPECT_EQ(nl::random_name("").size(), 8u);
}

}  // namespace
