// loopback driven like a runtime: lo comes up in the container, DEL brings it down, CHECK
// tells the two apart, a vanished netns is fine for DEL.
#include <gtest/gtest.h>

#include "cni_call.hpp"
#include "netlib/sys/spawn.hpp"

using nlohmann::json;
using testcni::Call;
using testcni::sh;

namespace {
bool lo_up(const std::string& ns) {
    auto l = testcni::ip_json(ns, {"link", "show", "dev", "lo"});
    if (l.empty()) return false;
    for (const auto& f : l[0]["flags"])
        if (f == "UP") return true;
    return false;
}
json conf(const std::string& v = "1.1.0") { return {{"cniVersion", v}, {"name", "lonet"}, {"type", "loopback"}}; }
}  // namespace

TEST(Loopback, AddCheckDel) {
    sh("ip netns add lo1");
    const std::string ns = "/run/netns/lo1";
    ASSERT_FALSE(lo_up(ns));
    Call add{.plugin = "loopback", .command = "ADD", .container_id = "l1", .netns = ns, .ifname = "lo"};
    auto r = testcni::run(add, conf());
    ASSERT_TRUE(r.ok()) << r.out;
    EXPECT_TRUE(lo_up(ns));
    EXPECT_EQ(r.json["interfaces"][0]["name"], "lo");
    EXPECT_EQ(r.json["interfaces"][0]["sandbox"], ns);
    EXPECT_EQ(r.json["ips"][0]["address"], "127.0.0.1/8");
    EXPECT_TRUE(testcni::ping(ns, "127.0.0.1"));

    Call chk = add;
    chk.command = "CHECK";
    json c = conf();
    c["prevResult"] = r.json;
    EXPECT_TRUE(testcni::run(chk, c).ok());

    Call del = add;
    del.command = "DEL";
    EXPECT_TRUE(testcni::run(del, c).ok());
    EXPECT_FALSE(lo_up(ns));
    EXPECT_FALSE(testcni::run(chk, c).ok());  // lo is down now
    EXPECT_TRUE(testcni::run(del, c).ok());   // DEL twice
    sh("ip netns del lo1");
    EXPECT_TRUE(testcni::run(del, c).ok());   // netns gone
}

TEST(Loopback, PassesPrevResultThrough) {
    sh("ip netns add lo2");
    Call add{.plugin = "loopback", .command = "ADD", .container_id = "l2", .netns = "/run/netns/lo2", .ifname = "eth0"};
    json c = conf("0.4.0");
    c["prevResult"] = json::parse(R"({"cniVersion":"0.4.0","interfaces":[{"name":"eth0"}],
        "ips":[{"version":"4","address":"10.9.0.2/24","interface":0}]})");
    auto r = testcni::run(add, c);
    ASSERT_TRUE(r.ok()) << r.out;
    EXPECT_EQ(r.json["ips"][0]["address"], "10.9.0.2/24");
    EXPECT_EQ(r.json["cniVersion"], "0.4.0");
    sh("ip netns del lo2");
}

TEST(Loopback, MissingNetnsIsUnknownContainer) {
    Call add{.plugin = "loopback", .command = "ADD", .container_id = "l3", .netns = "/run/netns/none", .ifname = "lo"};
    auto r = testcni::run(add, conf());
    EXPECT_EQ(r.code(), 3) << r.out;
}
