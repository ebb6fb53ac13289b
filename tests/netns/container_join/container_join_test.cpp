// container-join driven like a runtime. "web" is the running container (an address on a
// veth, a TCP server on 127.0.0.1); "app" is the new container whose netns file the runtime
// created with `ip netns add` and hands over as CNI_NETNS.
#include <arpa/inet.h>
#include <dirent.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "../plugins/cni_call.hpp"
#include "netlib/netns/netns.hpp"

using nlohmann::json;
using testcni::Call;
using testcni::sh;

namespace {

struct Netns {
    explicit Netns(std::string n) : name(std::move(n)), path("/run/netns/" + name) { sh("ip netns add " + name); }
    ~Netns() { sh("umount /run/netns/" + name + " 2>/dev/null; ip netns del " + name + " 2>/dev/null || true"); }
    std::string name, path;
};

json conf(const std::string& container, json extra = json::object()) {
    json j = {{"cniVersion", "1.1.0"}, {"name", "joinnet"}, {"type", "container-join"}, {"container", container}};
    j.update(extra);
    return j;
}

Call call(const std::string& cmd, const std::string& netns, const std::string& id = "app1") {
    return Call{.plugin = "container-join", .command = cmd, .container_id = id, .netns = netns};
}

int mounts_on(const std::string& path) {
    std::ifstream in("/proc/self/mountinfo");
    std::string line;
    int n = 0;
    while (std::getline(in, line))
        if (line.find(" " + path + " ") != std::string::npos) ++n;
    return n;
}

// Binding records the plugin keeps (one file per joined attachment).
int records() {
    int n = 0;
    DIR* d = ::opendir("/run/netrun/container-join");
    if (!d) return 0;
    while (auto* e = ::readdir(d))
        if (e->d_name[0] != '.') ++n;
    ::closedir(d);
    return n;
}

// A TCP listener on 127.0.0.1:port created inside `ns` (a socket stays in the netns it was
// made in), answering one connection with "hello".
class LoopbackServer {
public:
    LoopbackServer(const std::string& ns, int port) {
        auto n = netlib::netns::Netns::open(ns);
        auto scope = netlib::netns::Scope::enter(*n);
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{.sin_family = AF_INET, .sin_port = htons(static_cast<uint16_t>(port)), .sin_addr = {htonl(INADDR_LOOPBACK)}, .sin_zero = {}};
        int one = 1;
        ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        ok_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::listen(fd_, 4) == 0;
        thread_ = std::thread([this] {
            int c = ::accept(fd_, nullptr, nullptr);
            if (c >= 0) {
                (void)!::write(c, "hello", 5);
                ::close(c);
            }
        });
    }
    ~LoopbackServer() {
        ::shutdown(fd_, SHUT_RDWR);
        thread_.join();
        ::close(fd_);
    }
    bool ok() const { return ok_; }

private:
    int fd_ = -1;
    bool ok_ = false;
    std::thread thread_;
};

// Connect to 127.0.0.1:port from a thread that entered the netns at `ns_path`.
std::string fetch_loopback(const std::string& ns_path, int port) {
    std::string got;
    std::thread t([&] {
        auto n = netlib::netns::Netns::open(ns_path);
        if (!n) return;
        auto scope = netlib::netns::Scope::enter(*n);
        int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{.sin_family = AF_INET, .sin_port = htons(static_cast<uint16_t>(port)), .sin_addr = {htonl(INADDR_LOOPBACK)}, .sin_zero = {}};
        if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
            char buf[16];
            auto n2 = ::read(fd, buf, sizeof buf);
            if (n2 > 0) got.assign(buf, static_cast<std::size_t>(n2));
        }
        ::close(fd);
    });
    t.join();
    return got;
}

class ContainerJoin : public ::testing::Test {
protected:
    void SetUp() override {
        sh("ip -n web link set lo up && ip link add vweb type veth peer name eth0 netns web"
           " && ip -n web addr add 10.5.0.2/24 dev eth0 && ip -n web link set eth0 up"
           " && ip -n web route add default via 10.5.0.1");
    }
    // The host end goes now, not when the kernel gets round to destroying the deleted netns.
    void TearDown() override { sh("ip link del vweb 2>/dev/null || true; rm -rf /run/netrun/container-join"); }
    Netns web{"web"};
};

}  // namespace

TEST_F(ContainerJoin, NewContainerSharesTheTargetsNetworkAndDelLeavesItIntact) {
    Netns app("app");
    LoopbackServer server(web.path, 8081);
    ASSERT_TRUE(server.ok());
    auto r = testcni::run(call("ADD", app.path), conf(web.path));
    ASSERT_TRUE(r.ok()) << r.out << r.err;
    auto web_eth0 = testcni::ip_json(web.path, {"link", "show", "dev", "eth0"})[0];
    ASSERT_EQ(r.json["interfaces"].size(), 1u) << r.out;
    EXPECT_EQ(r.json["interfaces"][0]["name"], "eth0");
    EXPECT_EQ(r.json["interfaces"][0]["mac"], web_eth0["address"]);
    EXPECT_EQ(r.json["interfaces"][0]["sandbox"], app.path);
    EXPECT_EQ(r.json["ips"][0]["address"], "10.5.0.2/24");
    EXPECT_EQ(r.json["ips"][0]["gateway"], "10.5.0.1");
    // Entering CNI_NETNS now means entering web's namespace.
    EXPECT_EQ(testcni::addrs(app.path, "eth0"), std::vector<std::string>{"10.5.0.2/24"});
    EXPECT_EQ(fetch_loopback(app.path, 8081), "hello");
    EXPECT_EQ(testcni::run(call("CHECK", app.path), conf(web.path)).exit_status, 0);

    ASSERT_TRUE(testcni::run(call("DEL", app.path), conf(web.path)).ok());
    EXPECT_EQ(testcni::addrs(web.path, "eth0"), std::vector<std::string>{"10.5.0.2/24"});
    EXPECT_EQ(testcni::ip_json(web.path, {"link", "show", "dev", "eth0"})[0]["address"], web_eth0["address"]);
    EXPECT_EQ(testcni::link_names(app.path), std::vector<std::string>{"lo"});  // its own netns again
    EXPECT_EQ(mounts_on(app.path), 1);
    EXPECT_TRUE(testcni::run(call("DEL", app.path), conf(web.path)).ok());
    EXPECT_EQ(testcni::run(call("CHECK", app.path), conf(web.path)).code(), 106);
    EXPECT_EQ(records(), 0);
}

TEST_F(ContainerJoin, AddTwiceIsIdempotent) {
    Netns app("app");
    ASSERT_TRUE(testcni::run(call("ADD", app.path), conf(web.path)).ok());
    auto again = testcni::run(call("ADD", app.path), conf(web.path));
    ASSERT_TRUE(again.ok()) << again.out;
    EXPECT_EQ(mounts_on(app.path), 2);  // ip netns add's own bind + ours, not stacked twice
    ASSERT_TRUE(testcni::run(call("DEL", app.path), conf(web.path)).ok());
    EXPECT_EQ(mounts_on(app.path), 1);
}

TEST_F(ContainerJoin, CheckFailsWhenTheBindWasRemovedByHand) {
    Netns app("app");
    ASSERT_TRUE(testcni::run(call("ADD", app.path), conf(web.path)).ok());
    sh("umount /run/netns/app");
    EXPECT_EQ(testcni::run(call("CHECK", app.path), conf(web.path)).code(), 106);
    EXPECT_TRUE(testcni::run(call("DEL", app.path), conf(web.path)).ok());
    EXPECT_EQ(testcni::link_names(app.path), std::vector<std::string>{"lo"});
}

TEST_F(ContainerJoin, NetrunContainerNameResolvesToItsNetns) {
    Netns named("netrun-web2");
    sh("ip -n netrun-web2 link add n9 type veth peer name n9p");
    Netns app("app");
    auto r = testcni::run(call("ADD", app.path), conf("web2"));
    ASSERT_TRUE(r.ok()) << r.out;
    auto names = testcni::link_names(app.path);
    EXPECT_NE(std::find(names.begin(), names.end(), "n9"), names.end());
    ASSERT_TRUE(testcni::run(call("DEL", app.path), conf("web2")).ok());
}

TEST_F(ContainerJoin, DelAfterTargetAndNetnsAreGone) {
    {
        Netns app("app");
        Netns t("short");
        ASSERT_TRUE(testcni::run(call("ADD", app.path, "g1"), conf(t.path)).ok());
    }
    EXPECT_TRUE(testcni::run(call("DEL", "/run/netns/app", "g1"), conf("/run/netns/short")).ok());
    EXPECT_EQ(records(), 0);
}

TEST_F(ContainerJoin, GcUndoesBindingsOfUnknownAttachments) {
    Netns a("ja"), b("jb");
    ASSERT_TRUE(testcni::run(call("ADD", a.path, "keep"), conf(web.path)).ok());
    ASSERT_TRUE(testcni::run(call("ADD", b.path, "drop"), conf(web.path)).ok());
    json gc = conf(web.path);
    gc["cni.dev/valid-attachments"] = json::array({{{"containerID", "keep"}, {"ifname", "eth0"}}});
    auto r = testcni::run(Call{.plugin = "container-join", .command = "GC"}, gc);
    ASSERT_TRUE(r.ok()) << r.out << r.err;
    EXPECT_EQ(mounts_on(a.path), 2);
    EXPECT_EQ(mounts_on(b.path), 1);
    EXPECT_EQ(records(), 1);
    ASSERT_TRUE(testcni::run(call("DEL", a.path, "keep"), conf(web.path)).ok());
    EXPECT_EQ(mounts_on(a.path), 1);
    EXPECT_EQ(records(), 0);
}

struct BadCase {
    const char* name;
    json config;  // "%WEB%"/"%APP%" in container are replaced
    int code;
    std::string netns = "%APP%";
};

class ContainerJoinBadInput : public ContainerJoin, public ::testing::WithParamInterface<BadCase> {};

TEST_P(ContainerJoinBadInput, ErrorCodeAndNoStateChange) {
    const auto& c = GetParam();
    Netns app("app");
    sh("mkdir -p /run/notafile");
    json cfg = {{"cniVersion", "1.1.0"}, {"name", "joinnet"}, {"type", "container-join"}};
    cfg.update(c.config);
    if (cfg.contains("container") && cfg["container"] == "%APP%") cfg["container"] = app.path;
    std::string netns = c.netns == "%APP%" ? app.path : c.netns;
    auto r = testcni::run(call("ADD", netns), cfg);
    EXPECT_NE(r.exit_status, 0) << c.name;
    EXPECT_EQ(r.code(), c.code) << c.name << ": " << r.out << r.err;
    EXPECT_FALSE(r.msg().empty()) << c.name;
    EXPECT_EQ(mounts_on(app.path), 1) << c.name;
    EXPECT_EQ(testcni::link_names(app.path), std::vector<std::string>{"lo"}) << c.name;
    EXPECT_EQ(records(), 0) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ContainerJoinBadInput,
    ::testing::Values(BadCase{"missing_container", json::object(), 7},
                      BadCase{"container_not_a_string", {{"container", 42}}, 7},
                      BadCase{"container_empty", {{"container", ""}}, 7},
                      BadCase{"target_path_missing", {{"container", "/run/netns/nosuch"}}, 7},
                      BadCase{"target_name_unknown", {{"container", "nosuchcontainer"}}, 7},
                      BadCase{"name_with_bad_characters", {{"container", "we b/../x"}}, 7},
                      BadCase{"target_not_a_netns", {{"container", "/etc/hostname"}}, 7},
                      BadCase{"ipam_given", {{"container", "/run/netns/web"}, {"ipam", {{"type", "host-local"}}}}, 7},
                      BadCase{"same_namespace", {{"container", "%APP%"}}, 7},
                      BadCase{"cni_netns_is_a_directory", {{"container", "/run/netns/web"}}, 4, "/run/notafile"},
                      BadCase{"cni_netns_missing", {{"container", "/run/netns/web"}}, 3, "/run/netns/gone"}),
    [](const auto& p) { return std::string(p.param.name); });
