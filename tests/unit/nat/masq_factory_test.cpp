// Backend selection by the `ipMasqBackend` value; nothing is executed.
#include <gtest/gtest.h>

#include "netlib/nat/iptables_exec.hpp"
#include "netlib/nat/masq.hpp"

namespace {

using netlib::Code;
using netlib::nat::make_masq_backend;

TEST(MasqFactory, Iptables) {
    auto b = make_masq_backend("iptables");
    ASSERT_TRUE(b) << b.error().msg;
    EXPECT_EQ((*b)->name(), "iptables");
}

TEST(MasqFactory, Nftables) {
    auto b = make_masq_backend("nftables");
    ASSERT_TRUE(b) << b.error().msg;
    EXPECT_EQ((*b)->name(), "nftables");
}

TEST(MasqFactory, UnknownNameIsInvalidConfig) {
    for (std::string_view name : {"ipvs", "IPTABLES", " iptables"}) {
        auto b = make_masq_backend(name);
        ASSERT_FALSE(b) << name;
        EXPECT_EQ(b.error().code, static_cast<int>(Code::InvalidConfig));
        EXPECT_NE(b.error().msg.find(name), std::string::npos);
    }
}

TEST(MasqFactory, AutoFollowsIptablesRestorePresence) {
    auto b = make_masq_backend("");
    if (netlib::nat::find_program("iptables-restore")) {
        ASSERT_TRUE(b) << b.error().msg;
        EXPECT_EQ((*b)->name(), "iptables");
    } else {
        ASSERT_FALSE(b);
    }
}

TEST(FindProgram, PathsAndNames) {
    EXPECT_TRUE(netlib::nat::find_program("/bin/sh"));
    EXPECT_FALSE(netlib::nat::find_program("/nonexistent/iptables-restore"));
    EXPECT_FALSE(netlib::nat::find_program(""));
    EXPECT_FALSE(netlib::nat::find_program("netrun-no-such-program-xyz"));
    auto sh = netlib::nat::find_program("sh");
    ASSERT_TRUE(sh);
    EXPECT_EQ(sh->front(), '/');
}

}  // namespace
