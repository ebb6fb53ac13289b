// NftMasq on its own: ADD of a container that has a record (an earlier ADD that did not
// finish, or a runtime re-running ADD) replaces that state; a new container's ADD leaves
// the others alone. (A new container's ADD no longer tries to remove anything first: that
// refused transaction cost two RCU grace periods, see bench_portmap / the README.)
#include "netlib/nat/nft_masq.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "shell.hpp"

using namespace netlib;
using namespace netlib::nat;
using nattest::count;
using nattest::out;

namespace {

MasqRequest request(const char* addr) {
    return MasqRequest{"nmnet", "nm1", {*ip::Net::parse(addr)}};
}

}  // namespace

TEST(NftMasq, AddWithARecordReplacesItsState) {
    const std::string dir = "/run/nft-masq-test";
    NftMasq masq(dir);
    ASSERT_TRUE(masq.add(request("10.44.0.2/24")));
    auto second = MasqRequest{"nmnet", "nm2", {*ip::Net::parse("10.44.0.3/24")}};
    ASSERT_TRUE(masq.add(second));
    auto t = out("nft list table inet netrun_masq");
    EXPECT_EQ(count(t, "netrun-masq net=nmnet id=nm1"), 1u) << t;
    EXPECT_EQ(count(t, "netrun-masq net=nmnet id=nm2"), 1u) << t;
    // Same container again, new address: the old element and chain are gone.
    ASSERT_TRUE(masq.add(request("10.44.0.9/24")));
    t = out("nft list table inet netrun_masq");
    EXPECT_EQ(count(t, "netrun-masq net=nmnet id=nm1"), 1u) << t;
    EXPECT_EQ(count(t, "10.44.0.2"), 0u) << t;
    EXPECT_EQ(count(t, "10.44.0.9 : jump masq-"), 1u) << t;
    EXPECT_TRUE(masq.check(request("10.44.0.9/24")));
    ASSERT_TRUE(masq.del("nmnet", "nm1"));
    ASSERT_TRUE(masq.del("nmnet", "nm2"));
    t = out("nft list table inet netrun_masq");
    EXPECT_EQ(count(t, "masq-"), 0u) << t;
    EXPECT_EQ(count(t, "10.44.0."), 0u) << t;
}
