// Allocator logic against the in-memory store: round robin, wrap, gateway skip, requested
// addresses, exhaustion, duplicates, all-or-nothing, probe cost, STATUS and GC.
#include "ipam/allocator.hpp"

#include <gtest/gtest.h>

#include "fake_store.hpp"
#include "ipam/range_config.hpp"

using namespace ipam;
using ipam::testing::FakeStore;
using nlohmann::json;

namespace {

ip::Addr A(const std::string& s) {
    return *ip::Addr::parse(s);
}

std::vector<RangeSet> sets(const char* j) {
    return *parse_range_sets(json::parse(j), "ipam.ranges");
}

const Attachment kC1{"c1", "eth0"};

struct AllocatorTest : ::testing::Test {
    FakeStore store;
    std::vector<RangeSet> ranges = sets(R"([[{"subnet":"10.0.0.0/29"}]])");

    netlib::Expected<std::vector<netlib::cni::IpConfig>> alloc(const Attachment& who,
                                                               std::vector<ip::Addr> req = {}) {
        return Allocator(store, ranges).allocate(who, req);
    }
    std::string alloc_addr(const std::string& id) {
        auto r = alloc({id, "eth0"});
        EXPECT_TRUE(r) << r.error().msg;
        return r ? r->at(0).address.addr.str() : "";
    }
};

TEST_F(AllocatorTest, FirstSkipsGatewayAndCarriesPrefixAndGateway) {
    auto r = alloc(kC1);
    ASSERT_TRUE(r) << r.error().msg;
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].address.str(), "10.0.0.2/29");
    EXPECT_EQ((*r)[0].gateway, A("10.0.0.1"));
    EXPECT_FALSE((*r)[0].interface);
    EXPECT_EQ(store.last.at(0), A("10.0.0.2"));
    EXPECT_EQ(store.leased.at(A("10.0.0.2")).container_id, "c1");
    EXPECT_EQ(store.index.at({"c1", "eth0"}), std::vector<ip::Addr>{A("10.0.0.2")});
}

TEST_F(AllocatorTest, RoundRobinDoesNotReuseReleasedAddressAtOnce) {
    EXPECT_EQ(alloc_addr("a"), "10.0.0.2");
    EXPECT_EQ(alloc_addr("b"), "10.0.0.3");
    ASSERT_TRUE(store.release_all({"a", "eth0"}));
    EXPECT_EQ(alloc_addr("c"), "10.0.0.4");
}

TEST_F(AllocatorTest, WrapsToStartWhenEndReached) {
    store.put("10.0.0.3", "x", "eth0");
    store.put("10.0.0.4", "x", "eth1");
    store.last[0] = A("10.0.0.5");
    EXPECT_EQ(alloc_addr("a"), "10.0.0.6");
    EXPECT_EQ(alloc_addr("b"), "10.0.0.2");
    EXPECT_EQ(alloc_addr("c"), "10.0.0.5");
}

TEST_F(AllocatorTest, StaleLastReservedOutsideRangesRestartsAtBeginning) {
    store.last[0] = A("172.16.0.9");
    EXPECT_EQ(alloc_addr("a"), "10.0.0.2");
}

TEST_F(AllocatorTest, ExhaustionIs101AndNamesTheRange) {
    for (auto a : {"10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"})
        store.put(a, "x", std::string("e") + a);
    auto r = alloc(kC1);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, 101);
    EXPECT_NE(r.error().msg.find("no IP addresses available in range set 0 (10.0.0.1-10.0.0.6)"),
              std::string::npos)
        << r.error().msg;
    EXPECT_NE(r.error().msg.find("container c1 interface eth0"), std::string::npos)
        << r.error().msg;
}

TEST_F(AllocatorTest, DuplicateAllocationIs102) {
    ASSERT_TRUE(alloc(kC1));
    auto r = alloc(kC1);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, 102);
    EXPECT_NE(r.error().msg.find("10.0.0.2 has been allocated to container c1 interface eth0"),
              std::string::npos)
        << r.error().msg;
    EXPECT_NE(r.error().msg.find("duplicate allocation is not allowed"), std::string::npos);
    EXPECT_EQ(store.leased.size(), 1u);
    // Same container, other interface: a distinct attachment.
    EXPECT_TRUE(alloc({"c1", "eth1"}));
}

TEST_F(AllocatorTest, RequestedAddress) {
    auto r = alloc(kC1, {A("10.0.0.5")});
    ASSERT_TRUE(r) << r.error().msg;
    EXPECT_EQ((*r)[0].address.str(), "10.0.0.5/29");
    EXPECT_EQ(store.last.at(0), A("10.0.0.5"));
}

struct RequestCase {
    const char* name;
    std::vector<std::string> requested;
    int code;
    const char* error;
};

const RequestCase kRequestCases[] = {
    {"taken",
     {"10.0.0.3"},
     102,
     "requested IP address 10.0.0.3 is already allocated in range set 0"},
    {"gateway", {"10.0.0.1"}, 102, "requested IP 10.0.0.1 is the gateway of range set 0"},
    {"outside_subnet", {"10.9.0.3"}, 7, "requested IP 10.9.0.3 is not in any range"},
    {"broadcast", {"10.0.0.7"}, 7, "requested IP 10.0.0.7 is not in any range"},
    {"wrong_family", {"2001:db8::3"}, 7, "requested IP 2001:db8::3 is not in any range"},
    {"two_in_one_set", {"10.0.0.4", "10.0.0.5"}, 7, "are both in range set 0"},
};

class Requested : public ::testing::TestWithParam<RequestCase> {};

TEST_P(Requested, Refused) {
    FakeStore store;
    store.put("10.0.0.3", "other", "eth0");
    auto rs = sets(R"([[{"subnet":"10.0.0.0/29"}]])");
    std::vector<ip::Addr> req;
    for (const auto& s : GetParam().requested) req.push_back(A(s));
    auto r = Allocator(store, rs).allocate(kC1, req);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, GetParam().code);
    EXPECT_NE(r.error().msg.find(GetParam().error), std::string::npos) << r.error().msg;
    EXPECT_EQ(store.leased.size(), 1u) << "nothing may stay reserved";
}

INSTANTIATE_TEST_SUITE_P(Table, Requested, ::testing::ValuesIn(kRequestCases),
                         [](const auto& p) { return std::string(p.param.name); });

TEST(AllocatorMulti, OneAddressPerSetInOrderWithRequestedInSecond) {
    FakeStore store;
    auto rs = sets(R"([[{"subnet":"10.0.0.0/24"}],[{"subnet":"2001:db8::/64"}]])");
    auto r = Allocator(store, rs).allocate(kC1, std::vector{A("2001:db8::99")});
    ASSERT_TRUE(r) << r.error().msg;
    ASSERT_EQ(r->size(), 2u);
    EXPECT_EQ((*r)[0].address.str(), "10.0.0.2/24");
    EXPECT_EQ((*r)[1].address.str(), "2001:db8::99/64");
    EXPECT_EQ((*r)[1].gateway, A("2001:db8::1"));
    EXPECT_EQ(store.last.at(0), A("10.0.0.2"));
    EXPECT_EQ(store.last.at(1), A("2001:db8::99"));
}

TEST(AllocatorMulti, AllOrNothingAcrossFamilies) {
    FakeStore store;
    auto rs = sets(R"([[{"subnet":"10.0.0.0/24"}],[{"subnet":"2001:db8::/126"}]])");
    store.put("2001:db8::2", "x", "eth0");
    store.put("2001:db8::3", "y", "eth0");
    auto r = Allocator(store, rs).allocate(kC1, {});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, 101);
    EXPECT_NE(r.error().msg.find("range set 1 (2001:db8::1-2001:db8::3)"), std::string::npos)
        << r.error().msg;
    EXPECT_FALSE(store.leased.contains(A("10.0.0.2")))
        << "v4 lease of the failed ADD must be released";
    EXPECT_EQ(store.leased.size(), 2u);
    EXPECT_FALSE(store.index.contains({"c1", "eth0"}));
}

TEST(AllocatorMulti, StoreErrorPropagatesAndLeavesNothing) {
    FakeStore store;
    store.fail_reserve = true;
    auto rs = sets(R"([[{"subnet":"10.0.0.0/24"}]])");
    auto r = Allocator(store, rs).allocate(kC1, {});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, 5);
    EXPECT_TRUE(store.leased.empty());
}

TEST(AllocatorCost, RoundRobinProbesOnceWithManyLeases) {
    FakeStore store;
    auto rs = sets(R"([[{"subnet":"10.0.0.0/16"}]])");
    Allocator alloc(store, rs);
    for (int i = 0; i < 5000; ++i)
        ASSERT_TRUE(alloc.allocate({"c" + std::to_string(i), "eth0"}, {}));
    store.reserve_calls = 0;
    auto r = alloc.allocate({"last", "eth0"}, {});
    ASSERT_TRUE(r);
    EXPECT_EQ(store.reserve_calls, 1);
}

TEST(AllocatorStatus, ReportsExhaustedSets) {
    FakeStore store;
    auto rs = sets(R"([[{"subnet":"10.0.0.0/30"}],[{"subnet":"2001:db8::/126"}]])");
    Allocator alloc(store, rs);
    EXPECT_EQ(*alloc.exhausted(), std::vector<std::size_t>{});
    store.put("10.0.0.2", "x", "eth0");
    EXPECT_EQ(*alloc.exhausted(), std::vector<std::size_t>{0});
    store.put("2001:db8::3", "x", "eth0");
    EXPECT_EQ(*alloc.exhausted(), std::vector<std::size_t>{0});
    store.put("2001:db8::2", "y", "eth0");
    EXPECT_EQ(*alloc.exhausted(), (std::vector<std::size_t>{0, 1}));
}

TEST(Gc, ReleasesLeasesOfUnlistedAttachments) {
    FakeStore store;
    store.put("10.0.0.2", "keep", "eth0");
    store.put("10.0.0.3", "keep", "eth1");  // same container, interface not listed
    store.put("10.0.0.4", "gone", "eth0");
    store.put("10.0.0.5", "keep", std::nullopt);  // legacy id-only: matches on id
    store.put("10.0.0.6", "old", std::nullopt);
    store.put("10.0.0.7", "", std::nullopt);  // empty file: crash residue
    store.index[{"keep", "eth0"}] = {A("10.0.0.2")};
    store.index[{"gone", "eth0"}] = {A("10.0.0.4")};
    std::vector<Attachment> valid{{"keep", "eth0"}, {"other", "eth0"}};
    ASSERT_TRUE(collect_garbage(store, valid));
    std::vector<std::string> left;
    for (const auto& [a, l] : store.leased) left.push_back(a.str());
    EXPECT_EQ(left, (std::vector<std::string>{"10.0.0.2", "10.0.0.5"}));
    EXPECT_TRUE(store.index.contains({"keep", "eth0"}));
    EXPECT_FALSE(store.index.contains({"gone", "eth0"}));
}

TEST(Gc, EmptyValidListReleasesEverything) {
    FakeStore store;
    store.put("10.0.0.2", "a", "eth0");
    store.put("10.0.0.3", "b", std::nullopt);
    ASSERT_TRUE(collect_garbage(store, {}));
    EXPECT_TRUE(store.leased.empty());
}

}  // namespace
