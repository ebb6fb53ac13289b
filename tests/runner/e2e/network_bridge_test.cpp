// --net=bridge (the default) end to end: a busybox web server published with -p 8088:80 is
// reachable from another machine, from the host's address, from 127.0.0.1, from a second
// container and from itself (hairpin); the container's own traffic leaves masqueraded;
// names resolve through --add-host; the DNS files follow docker's rules; and `rm -f`
// leaves nothing in the kernel or on disk.
#include <gtest/gtest.h>

#include "../sbx/sandbox_fixture.hpp"
#include "e2e_fixture.hpp"

using namespace e2e;

namespace {

const auto* const kCgroups = ::testing::AddGlobalTestEnvironment(new sbxtest::HostCgroups);
const auto* const kWorld = ::testing::AddGlobalTestEnvironment(new World);

class Bridge : public ::testing::Test {
  protected:
    void TearDown() override { remove_all_containers(); }
};

std::string start_web(const std::string& name, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"run", "-d", "--name", name};
    args.insert(args.end(), extra.begin(), extra.end());
    for (const char* a : {"netrun/busybox", "httpd", "-f", "-p", "80", "-h", "/www"})
        args.emplace_back(a);
    auto r = nr(args);
    EXPECT_EQ(r.exit_status, 0) << r.err;
    std::string id = r.out;
    while (!id.empty() && id.back() == '\n') id.pop_back();
    return id;
}

TEST_F(Bridge, PublishedPortReachableFromEveryPathAndRmLeavesNothing) {
    const std::string id = start_web("web", {"-p", "8088:80"});
    ASSERT_EQ(id.size(), 64u);
    const std::string ip = container_ip("web");
    ASSERT_TRUE(ip.starts_with("10.89.")) << inspect("web").dump(2);

    // The pinned netns is what `ip netns` shows, and eth0 has the address.
    auto addr = sh("ip -n netrun-web -o -4 addr show dev eth0");
    ASSERT_TRUE(addr) << "no /run/netns/netrun-web";
    EXPECT_NE(addr->find(ip + "/16"), std::string::npos) << *addr;

    EXPECT_EQ(http_get(World::outside(), kHostIp, 8088), kPage) << "from another machine";
    EXPECT_EQ(http_get("", kHostIp, 8088), kPage) << "from the host's address";
    EXPECT_EQ(http_get("", "127.0.0.1", 8088), kPage) << "from 127.0.0.1";
    EXPECT_EQ(http_get("", ip, 80), kPage) << "from the host, directly";
    auto second =
        nr({"run", "--rm", "netrun/busybox", "wget", "-q", "-O-", "http://" + kHostIp + ":8088/"});
    EXPECT_EQ(second.out, kPage) << "from a second container: " << second.err;
    auto self = nr({"exec", "web", "wget", "-q", "-O-", "http://" + kHostIp + ":8088/"});
    EXPECT_EQ(self.out, kPage) << "from itself through the host address (hairpin): " << self.err;

    // Outbound: masqueraded to the host's address.
    PeerEcho echo(9000);
    auto out = nr({"exec", "web", "wget", "-q", "-O-", "http://" + kOutsideIp + ":9000/"});
    EXPECT_EQ(out.out, kHostIp + "\n") << out.err;

    // ps and inspect show the mapping.
    EXPECT_NE(nr({"ps"}).out.find("0.0.0.0:8088->80/tcp"), std::string::npos);
    EXPECT_EQ(inspect("web")["networkSettings"]["ports"][0]["hostPort"], 8088);

    ASSERT_EQ(nr({"rm", "-f", "web"}).exit_status, 0);
    EXPECT_EQ(leftovers(id, "web"), "");
    EXPECT_EQ(bridge_ports(0), 0) << "a veth is still on the bridge";
    EXPECT_FALSE(http_get_now("", "127.0.0.1", 8088)) << "port still published";
}

TEST_F(Bridge, DnsFilesFollowDockerRules) {
    start_web("dns1", {"--hostname", "box", "--add-host", "db:10.1.2.3", "--add-host",
                       "gw:host-gateway", "--dns-search", "example.org"});
    const std::string ip = container_ip("dns1");
    auto hosts = nr({"exec", "dns1", "cat", "/etc/hosts"}).out;
    EXPECT_NE(hosts.find("127.0.0.1\tlocalhost"), std::string::npos) << hosts;
    EXPECT_NE(hosts.find("10.1.2.3\tdb"), std::string::npos) << hosts;
    EXPECT_NE(hosts.find("10.89.0.1\tgw"), std::string::npos) << hosts;
    EXPECT_NE(hosts.find(ip + "\tbox"), std::string::npos) << hosts;
    EXPECT_EQ(nr({"exec", "dns1", "cat", "/etc/hostname"}).out, "box\n");
    EXPECT_EQ(nr({"exec", "dns1", "hostname"}).out, "box\n");
    auto resolv = nr({"exec", "dns1", "cat", "/etc/resolv.conf"}).out;
    EXPECT_NE(resolv.find("search example.org"), std::string::npos) << resolv;
    EXPECT_EQ(resolv.find("nameserver 127."), std::string::npos) << "loopback nameserver kept:\n"
                                                                 << resolv;
    EXPECT_NE(resolv.find("nameserver "), std::string::npos) << resolv;
}

TEST_F(Bridge, ContainersResolveEachOtherThroughAddHost) {
    start_web("alpha");
    const std::string ip = container_ip("alpha");
    ASSERT_FALSE(ip.empty());
    auto r = nr({"run", "--rm", "--add-host", "alpha:" + ip, "netrun/busybox", "wget", "-q", "-O-",
                 "http://alpha/"});
    EXPECT_EQ(r.out, kPage) << r.err;
}

TEST_F(Bridge, SecondContainerOnSameHostPortIsRefusedAndLeavesNothing) {
    start_web("first", {"-p", "8090:80"});
    auto r = nr({"run", "-d", "--name", "second", "-p", "8090:80", "netrun/busybox", "httpd", "-f",
                 "-p", "80"});
    EXPECT_EQ(r.exit_status, 125);
    EXPECT_NE(r.err.find("already published"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(inspect("first").value("id", "?")), std::string::npos)
        << "owner not named: " << r.err;
    EXPECT_TRUE(inspect("second").is_null()) << "state of the refused container left";
    EXPECT_EQ(::access("/run/netns/netrun-second", F_OK), -1);
    EXPECT_EQ(bridge_ports(1), 1) << "the refused container's veth stayed";
    EXPECT_EQ(http_get(World::outside(), kHostIp, 8090), kPage)
        << "the first container lost its port";
}

TEST_F(Bridge, IpAndMacAreTheOnesAskedFor) {
    auto r = nr({"run", "--rm", "--ip", "10.89.0.77", "--mac-address", "02:42:AC:11:00:77",
                 "netrun/busybox", "ip", "-o", "addr", "show", "eth0"});
    EXPECT_EQ(r.exit_status, 0) << r.err;
    EXPECT_NE(r.out.find("inet 10.89.0.77/16"), std::string::npos) << r.out;
    auto link = nr({"run", "--rm", "--mac-address", "02:42:ac:11:00:78", "netrun/busybox", "cat",
                    "/sys/class/net/eth0/address"});
    EXPECT_EQ(link.out, "02:42:ac:11:00:78\n") << link.err;
    auto taken =
        nr({"run", "-d", "--name", "ip1", "--ip", "10.89.0.80", "netrun/busybox", "sleep", "30"});
    ASSERT_EQ(taken.exit_status, 0) << taken.err;
    auto dup = nr({"run", "--rm", "--name", "ip2", "--ip", "10.89.0.80", "netrun/busybox", "true"});
    EXPECT_EQ(dup.exit_status, 125);
    EXPECT_NE(dup.err.find("10.89.0.80"), std::string::npos) << dup.err;
    EXPECT_EQ(::access("/run/netns/netrun-ip2", F_OK), -1);
}

TEST_F(Bridge, UnknownNetworkIsRefusedWithoutState) {
    auto r = nr({"run", "--rm", "--name", "lost", "--net", "nosuchnet", "netrun/busybox", "true"});
    EXPECT_EQ(r.exit_status, 125);
    EXPECT_NE(r.err.find("nosuchnet"), std::string::npos) << r.err;
    EXPECT_EQ(::access("/run/netns/netrun-lost", F_OK), -1);
    EXPECT_TRUE(inspect("lost").is_null());
}

}  // namespace
