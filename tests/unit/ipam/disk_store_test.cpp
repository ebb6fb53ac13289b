// DiskStore in a temp dir: byte-exact reference layout, lock, index fast path and the scan
// fallback for leases written by the reference plugin, crash residue, GC.
#include "ipam/disk_store.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include "ipam/allocator.hpp"
#include "temp_dir.hpp"

using namespace ipam;
using namespace ipam::testing;

namespace {

ip::Addr A(const std::string& s) {
    return *ip::Addr::parse(s);
}
const Attachment kC1{"c1", "eth0"};

struct DiskStoreTest : ::testing::Test {
    TempDir tmp;
    std::string data = tmp.path() + "/data";
    std::string dir = data + "/net1";

    std::unique_ptr<DiskStore> open() {
        auto s = DiskStore::open(data, "net1", DiskStore::Mode::Create);
        EXPECT_TRUE(s) << s.error().msg;
        return s ? std::move(*s) : nullptr;
    }
    std::string at(const std::string& name) { return dir + "/" + name; }
};

TEST_F(DiskStoreTest, ReserveWritesReferenceLayout) {
    auto s = open();
    ASSERT_TRUE(s);
    EXPECT_EQ(mode_of(dir), 0755);
    auto r = s->reserve(A("10.0.0.2"), kC1);
    ASSERT_TRUE(r && *r);
    EXPECT_EQ(slurp(at("10.0.0.2")), "c1\r\neth0");
    EXPECT_EQ(mode_of(at("10.0.0.2")), 0600);
    r = s->reserve(A("2001:db8::a"), {"c2", "net0"});
    ASSERT_TRUE(r && *r);
    EXPECT_EQ(slurp(at("2001:db8::a")), "c2\r\nnet0");
    r = s->reserve(A("10.0.0.2"), {"c3", "eth0"});
    ASSERT_TRUE(r);
    EXPECT_FALSE(*r) << "taken address must not be reserved twice";
    EXPECT_EQ(slurp(at("10.0.0.2")), "c1\r\neth0");
    ASSERT_TRUE(s->set_last_reserved(0, A("10.0.0.2")));
    ASSERT_TRUE(s->set_last_reserved(1, A("2001:db8::a")));
    EXPECT_EQ(slurp(at("last_reserved_ip.0")), "10.0.0.2");
    EXPECT_EQ(slurp(at("last_reserved_ip.1")), "2001:db8::a");
    EXPECT_EQ(*s->last_reserved(1), A("2001:db8::a"));
    s.reset();
    EXPECT_EQ(list_dir(dir),
              (std::vector<std::string>{"10.0.0.2", "2001:db8::a", "last_reserved_ip.0",
                                        "last_reserved_ip.1", "lock"}));
}

TEST_F(DiskStoreTest, LockIsHeldForTheStoreLifetime) {
    auto s = open();
    ASSERT_TRUE(s);
    int fd = ::open(at("lock").c_str(), O_RDWR | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    EXPECT_EQ(::flock(fd, LOCK_EX | LOCK_NB), -1);
    EXPECT_EQ(errno, EWOULDBLOCK);
    s.reset();
    EXPECT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
    ::close(fd);
}

TEST_F(DiskStoreTest, ExistingModeDoesNotCreate) {
    auto s = DiskStore::open(data, "net1", DiskStore::Mode::Existing);
    ASSERT_TRUE(s) << s.error().msg;
    EXPECT_EQ(*s, nullptr);
    EXPECT_FALSE(exists(data));
}

TEST_F(DiskStoreTest, GarbageLastReservedIsIgnored) {
    auto s = open();
    spit(at("last_reserved_ip.0"), "10.0.0.");
    auto l = s->last_reserved(0);
    ASSERT_TRUE(l);
    EXPECT_FALSE(*l);
    spit(at("last_reserved_ip.0"), "10.0.0.9\n");
    EXPECT_EQ(*s->last_reserved(0), A("10.0.0.9"));
}

TEST_F(DiskStoreTest, IndexRecordsAttachmentAndReleaseRemovesIt) {
    auto s = open();
    ASSERT_TRUE(*s->reserve(A("10.0.0.2"), kC1));
    ASSERT_TRUE(*s->reserve(A("2001:db8::2"), kC1));
    std::vector<ip::Addr> both{A("10.0.0.2"), A("2001:db8::2")};
    ASSERT_TRUE(s->remember(kC1, both));
    EXPECT_EQ(slurp(at("netrun-attach.c1:eth0")), "netrun-index v1\n10.0.0.2\n2001:db8::2\n");
    EXPECT_EQ(*s->held_fast(kC1), both);
    EXPECT_EQ(*s->held(kC1), both);
    EXPECT_EQ(*s->release_all(kC1), both);
    EXPECT_FALSE(exists(at("10.0.0.2")));
    EXPECT_FALSE(exists(at("2001:db8::2")));
    EXPECT_FALSE(exists(at("netrun-attach.c1:eth0")));
    EXPECT_TRUE(s->release_all(kC1)->empty()) << "second release is a no-op";
}

TEST_F(DiskStoreTest, CompleteIndexAvoidsTheScan) {
    auto s = open();
    ASSERT_TRUE(*s->reserve(A("10.0.0.2"), kC1));
    ASSERT_TRUE(s->remember(kC1, std::vector{A("10.0.0.2")}));
    // A lease the index does not know about is only found by a scan; the indexed path must
    // not have looked (this is the O(1) DEL of our own attachments).
    spit(at("10.0.0.77"), "c1\r\neth0");
    EXPECT_EQ(*s->held(kC1), std::vector{A("10.0.0.2")});
}

TEST_F(DiskStoreTest, ReferenceLeasesWithoutIndexAreFoundByScan) {
    auto s = open();
    spit(at("10.0.0.5"), "c1\r\neth0");
    spit(at("10.0.0.6"), "c1\r\neth1");
    spit(at("10.0.0.7"), "c2\r\neth0");
    spit(at("2001:db8::5"),
         "c1\r\neth0\n");                   // trailing whitespace is trimmed, as the reference does
    spit(at("2001:DB8::9"), "c1\r\neth0");  // not a canonical lease name: not a lease
    EXPECT_TRUE(s->held_fast(kC1)->empty()) << "fast lookup only trusts our index";
    EXPECT_EQ(*s->held(kC1), (std::vector{A("10.0.0.5"), A("2001:db8::5")}));
    EXPECT_EQ(*s->release_all(kC1), (std::vector{A("10.0.0.5"), A("2001:db8::5")}));
    EXPECT_EQ(list_dir(dir),
              (std::vector<std::string>{"10.0.0.6", "10.0.0.7", "2001:DB8::9", "lock"}));
}

TEST_F(DiskStoreTest, LegacyIdOnlyLeasesMatchWhenNoFullMatchExists) {
    auto s = open();
    spit(at("10.0.0.5"), "c1");
    EXPECT_EQ(*s->held(kC1), std::vector{A("10.0.0.5")});
    spit(at("10.0.0.6"), "c1\r\neth0");
    EXPECT_EQ(*s->held(kC1), std::vector{A("10.0.0.6")})
        << "like the reference: legacy only as a fallback";
    ASSERT_TRUE(s->release_all(kC1));
    ASSERT_TRUE(s->release_all(kC1));
    EXPECT_EQ(list_dir(dir), std::vector<std::string>{"lock"});
}

TEST_F(DiskStoreTest, StaleIndexFallsBackToScanAndSparesOthers) {
    auto s = open();
    // Our index says 10.0.0.2, but the reference released it and gave it to c9; c1 now holds .8.
    spit(at("netrun-attach.c1:eth0"), "netrun-index v1\n10.0.0.2\n");
    spit(at("10.0.0.2"), "c9\r\neth0");
    spit(at("10.0.0.8"), "c1\r\neth0");
    EXPECT_TRUE(s->held_fast(kC1)->empty());
    EXPECT_EQ(*s->release_all(kC1), std::vector{A("10.0.0.8")});
    EXPECT_EQ(slurp(at("10.0.0.2")), "c9\r\neth0");
    EXPECT_EQ(list_dir(dir), (std::vector<std::string>{"10.0.0.2", "lock"}));
}

TEST_F(DiskStoreTest, GarbledIndexIsIgnored) {
    auto s = open();
    spit(at("netrun-attach.c1:eth0"), "not an index");
    spit(at("10.0.0.8"), "c1\r\neth0");
    EXPECT_EQ(*s->held(kC1), std::vector{A("10.0.0.8")});
}

// A process killed between link() and unlink() leaves the scratch name as a second link to a
// finished lease: the next store must drop the name without touching the lease's content.
TEST_F(DiskStoreTest, CrashResidueIsClearedWithoutCorruptingLeases) {
    { auto s = open(); }
    spit(at("10.0.0.2"), "c1\r\neth0");
    ASSERT_EQ(::link(at("10.0.0.2").c_str(), at("netrun-lease.tmp").c_str()), 0);
    spit(at("netrun-write.tmp"), "half");
    auto s = open();
    EXPECT_FALSE(exists(at("netrun-lease.tmp")));
    EXPECT_FALSE(exists(at("netrun-write.tmp")));
    ASSERT_TRUE(*s->reserve(A("10.0.0.3"), {"c2", "eth0"}));
    EXPECT_EQ(slurp(at("10.0.0.2")), "c1\r\neth0");
    EXPECT_EQ(slurp(at("10.0.0.3")), "c2\r\neth0");
}

TEST_F(DiskStoreTest, FailedProbesLeaveNoScratchBehind) {
    auto s = open();
    spit(at("10.0.0.2"), "x\r\neth0");
    EXPECT_FALSE(*s->reserve(A("10.0.0.2"), kC1));
    EXPECT_TRUE(exists(at("netrun-lease.tmp")));
    s.reset();
    EXPECT_EQ(list_dir(dir), (std::vector<std::string>{"10.0.0.2", "lock"}));
}

TEST_F(DiskStoreTest, GcReleasesUnlistedAndResidueKeepsBookkeeping) {
    auto s = open();
    spit(at("10.0.0.2"), "keep\r\neth0");
    spit(at("10.0.0.3"), "gone\r\neth0");
    spit(at("10.0.0.4"), "keep");  // legacy, id is valid
    spit(at("10.0.0.5"), "");      // reference killed between create and write
    spit(at("netrun-attach.keep:eth0"), "netrun-index v1\n10.0.0.2\n");
    spit(at("netrun-attach.gone:eth0"), "netrun-index v1\n10.0.0.3\n");
    spit(at("last_reserved_ip.0"), "10.0.0.5");
    spit(at("notes.txt"), "gone\r\neth0");  // not ours, not a lease: left alone
    std::vector<Attachment> valid{{"keep", "eth0"}};
    ASSERT_TRUE(collect_garbage(*s, valid));
    EXPECT_EQ(list_dir(dir),
              (std::vector<std::string>{"10.0.0.2", "10.0.0.4", "last_reserved_ip.0", "lock",
                                        "netrun-attach.keep:eth0", "notes.txt"}));
}

TEST_F(DiskStoreTest, AllocatorOverDiskStore) {
    auto s = open();
    std::vector<RangeSet> sets{RangeSet{
        {Range{*ip::Net::parse("10.0.0.0/29"), A("10.0.0.1"), A("10.0.0.6"), A("10.0.0.1")}}}};
    auto r = Allocator(*s, sets).allocate(kC1, {});
    ASSERT_TRUE(r) << r.error().msg;
    EXPECT_EQ((*r)[0].address.str(), "10.0.0.2/29");
    auto dup = Allocator(*s, sets).allocate(kC1, {});
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code, 102);
    EXPECT_EQ(list_dir(dir), (std::vector<std::string>{"10.0.0.2", "last_reserved_ip.0", "lock",
                                                       "netrun-attach.c1:eth0"}));
}

}  // namespace
