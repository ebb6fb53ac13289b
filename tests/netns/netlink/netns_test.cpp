// Netns handles, Scope, persistent namespaces.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>

#include "fixture.hpp"

namespace nltest {
namespace {

using netlib::netns::Netns;
using netlib::netns::Scope;

Netns current() { return NL_OK(Netns::current()); }

// The mount on top at dir: the last entry for it (a host whose /run/netns is already a
// mount point has that one listed first, hidden under our own /run).
bool is_mountpoint_shared(const std::string& dir) {
    std::ifstream f("/proc/self/mountinfo");
    bool shared = false;
    for (std::string line; std::getline(f, line);) {
        // "<id> <parent> <maj:min> <root> <mount point> <options> <optional fields...> - ..."
        std::istringstream in(line);
        std::string id, parent, dev, root, mp;
        in >> id >> parent >> dev >> root >> mp;
        if (mp == dir) shared = line.find(" shared:") != std::string::npos;
    }
    return shared;
}

TEST(Netns, OpenMissingPathKeepsEnoent) {
    auto ns = Netns::open("/run/netns/does-not-exist");
    ASSERT_FALSE(ns);
    EXPECT_EQ(ns.error().sys_errno, ENOENT);
    EXPECT_EQ(ns.error().code, static_cast<int>(netlib::Code::Kernel));
    EXPECT_NE(ns.error().msg.find("/run/netns/does-not-exist"), std::string::npos) << ns.error().msg;
}

TEST(Netns, OpenSomethingElseIsInvalidEnv) {
    { std::ofstream("/run/not-a-netns") << "x"; }
    auto ns = Netns::open("/run/not-a-netns");
    ASSERT_FALSE(ns);
    EXPECT_EQ(ns.error().code, static_cast<int>(netlib::Code::InvalidEnv));
    ::unlink("/run/not-a-netns");
    // Another namespace type is not a network namespace either.
    auto mnt = Netns::open("/proc/self/ns/mnt");
    EXPECT_FALSE(mnt.has_value() && Netns::open("/proc/self/ns/net")->same_as(*mnt));
}

TEST(Netns, SameAsComparesTheNamespaceNotTheFd) {
    auto a = current();
    auto b = NL_OK(Netns::open_pid(::getpid()));
    EXPECT_TRUE(a.same_as(b));
    netrun_test::TestNetns t;
    EXPECT_FALSE(a.same_as(t.open()));
    EXPECT_TRUE(t.open().same_as(t.open()));
    // The parent (ctest or a shell) is in the real host netns: only compared, never entered.
    auto host = Netns::open_pid(::getppid());
    ASSERT_TRUE(host) << host.error().msg;
    EXPECT_FALSE(a.same_as(*host)) << "the harness should have moved us out of the host netns";
}

TEST(Netns, ScopeEntersAndRestores) {
    auto before = current();
    netrun_test::TestNetns t;
    auto target = t.open();
    {
        auto scope = NL_OK(Scope::enter(target));
        EXPECT_TRUE(current().same_as(target));
        auto s = NL_OK(netlib::netlink::Socket::open());  // opened here: bound to target
        auto lo = NL_OK(netlib::netlink::get_link(s, "lo"));
        ASSERT_TRUE(lo.has_value());
        EXPECT_FALSE(lo->up);  // a fresh netns: lo is down
        {
            auto inner = NL_OK(Scope::enter(before));  // nesting restores one level at a time
            EXPECT_TRUE(current().same_as(before));
        }
        EXPECT_TRUE(current().same_as(target));
    }
    EXPECT_TRUE(current().same_as(before));
}

TEST(Netns, ScopeMovedFromRestoresOnce) {
    auto before = current();
    netrun_test::TestNetns t;
    auto target = t.open();
    {
        auto a = NL_OK(Scope::enter(target));
        Scope b(std::move(a));
        EXPECT_TRUE(current().same_as(target));
    }
    EXPECT_TRUE(current().same_as(before));
}

TEST(Netns, CreateAndRemovePersistent) {
    auto before = current();
    const std::string path = "/run/netns/persist-t";
    NL_OK(netlib::netns::create_persistent(path));
    EXPECT_TRUE(current().same_as(before)) << "creating must not move the caller";
    auto ns = NL_OK(Netns::open(path));
    EXPECT_FALSE(ns.same_as(before));
    EXPECT_TRUE(is_mountpoint_shared("/run/netns"));
    // Fresh: only lo.
    auto s = NL_OK(netlib::netlink::Socket::open_in(ns));
    auto lo = NL_OK(netlib::netlink::get_link(s, 1));
    ASSERT_TRUE(lo);
    EXPECT_EQ(lo->name, "lo");
    EXPECT_FALSE(NL_OK(netlib::netlink::get_link(s, 2)).has_value());

    auto again = netlib::netns::create_persistent(path);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().sys_errno, EEXIST);
    EXPECT_TRUE(NL_OK(Netns::open(path)).same_as(ns)) << "a failed create must not touch the existing one";

    NL_OK(netlib::netns::remove_persistent(path));
    struct stat st{};
    EXPECT_NE(::stat(path.c_str(), &st), 0);
    NL_OK(netlib::netns::remove_persistent(path));  // idempotent
}

TEST(Netns, PersistentOutsideRunNetnsAndDistinctEachTime) {
    NL_OK(netlib::netns::create_persistent("/run/other/dir/a"));
    NL_OK(netlib::netns::create_persistent("/run/other/dir/b"));
    EXPECT_FALSE(NL_OK(Netns::open("/run/other/dir/a")).same_as(NL_OK(Netns::open("/run/other/dir/b"))));
    NL_OK(netlib::netns::remove_persistent("/run/other/dir/a"));
    NL_OK(netlib::netns::remove_persistent("/run/other/dir/b"));
}

TEST(Netns, RemoveLeavesOpenHandlesWorking) {
    netrun_test::TestNetns t;
    auto ns = t.open();
    NL_OK(netlib::netns::remove_persistent(t.path()));
    // The fd keeps the namespace alive: a socket can still be opened inside it.
    auto s = NL_OK(netlib::netlink::Socket::open_in(ns));
    EXPECT_TRUE(NL_OK(netlib::netlink::get_link(s, "lo")).has_value());
}

}  // namespace
}  // namespace nltest
