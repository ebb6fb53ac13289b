#include "netlib/ip/addr.hpp"

#include <gtest/gtest.h>

using netlib::ip::Addr;
using netlib::ip::Net;

TEST(Addr, ParseAndFormat) {
    struct Case { const char* in; bool ok; const char* out; };
    for (auto c : {Case{"10.0.0.1", true, "10.0.0.1"}, Case{"2001:DB8::1", true, "2001:db8::1"},
                   Case{"::", true, "::"}, Case{"::1:0", true, "::1:0"},
                   Case{"::ffff:10.0.0.1", true, "::ffff:10.0.0.1"}, Case{"1:0:1:0:1:0:1:0", true, "1:0:1:0:1:0:1:0"},
                   Case{"1:0:0:1:0:0:0:1", true, "1:0:0:1::1"}, Case{"1:0:0:1:1:0:0:1", true, "1::1:1:0:0:1"}, Case{"300.1.1.1", false, ""}, Case{"", false, ""},
                   Case{"10.0.0.1/24", false, ""}, Case{"fe80::1%eth0", false, ""}}) {
        auto a = Addr::parse(c.in);
        ASSERT_EQ(a.has_value(), c.ok) << c.in;
        if (c.ok) {
            EXPECT_EQ(a->str(), c.out);
        }
    }
}

TEST(Addr, NextPrevWrap) {
    EXPECT_EQ(Addr::parse("10.0.0.255")->next().str(), "10.0.1.0");
    EXPECT_EQ(Addr::parse("255.255.255.255")->next().str(), "0.0.0.0");
    EXPECT_EQ(Addr::parse("10.0.1.0")->prev().str(), "10.0.0.255");
    EXPECT_EQ(Addr::parse("::ffff")->next().str(), "::1:0");
    EXPECT_EQ(Addr::parse("::")->prev().str(), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

TEST(Addr, Ordering) {
    EXPECT_LT(*Addr::parse("10.0.0.2"), *Addr::parse("10.0.0.10"));
    EXPECT_LT(*Addr::parse("255.255.255.255"), *Addr::parse("::"));  // v4 sorts before v6
}

TEST(Net, ParseAndMask) {
    struct Case { const char* in; bool ok; const char* network; const char* last; };
    for (auto c : {Case{"10.1.2.3/24", true, "10.1.2.0", "10.1.2.255"},
                   Case{"10.1.2.3/32", true, "10.1.2.3", "10.1.2.3"},
                   Case{"10.1.2.3/31", true, "10.1.2.2", "10.1.2.3"},
                   Case{"0.0.0.0/0", true, "0.0.0.0", "255.255.255.255"},
                   Case{"2001:db8::5/64", true, "2001:db8::", "2001:db8::ffff:ffff:ffff:ffff"},
                   Case{"2001:db8::5/127", true, "2001:db8::4", "2001:db8::5"},
                   Case{"2001:db8::5/128", true, "2001:db8::5", "2001:db8::5"},
                   Case{"10.0.0.0/33", false, "", ""}, Case{"10.0.0.0/", false, "", ""},
                   Case{"10.0.0.0/-1", false, "", ""}, Case{"::/129", false, "", ""},
                   Case{"10.0.0.0", false, "", ""}}) {
        auto n = Net::parse(c.in);
        ASSERT_EQ(n.has_value(), c.ok) << c.in;
        if (!c.ok) continue;
        EXPECT_EQ(n->network().str(), c.network) << c.in;
        EXPECT_EQ(n->last().str(), c.last) << c.in;
    }
}

TEST(Net, ContainsOverlaps) {
    auto n = *Net::parse("10.0.0.0/16");
    EXPECT_TRUE(n.contains(*Addr::parse("10.0.255.1")));
    EXPECT_FALSE(n.contains(*Addr::parse("10.1.0.1")));
    EXPECT_FALSE(n.contains(*Addr::parse("::1")));
    EXPECT_TRUE(n.overlaps(*Net::parse("10.0.3.0/24")));
    EXPECT_TRUE(Net::parse("10.0.3.0/24")->overlaps(n));
    EXPECT_FALSE(n.overlaps(*Net::parse("10.1.0.0/16")));
    EXPECT_TRUE(Net::parse_or_host("10.0.0.1")->prefix == 32);
}
