// The iptables portmap backend against the real tools, iptables-nft and iptables-legacy:
// a new container on a prepared host is one iptables-restore and nothing else (the nft
// flavour reads the shared rules from nf_tables, legacy checks them with -C); the first
// ADD, a re-ADD and a host whose shared jump was removed by hand take the read path, and
// every path leaves the same rules. Each test runs in a fresh network namespace.
#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "netlib/nat/iptables_exec.hpp"
#include "netlib/nat/iptables_portmap.hpp"
#include "netlib/nat/iptables_portmap_rules.hpp"
#include "netlib/sys/spawn.hpp"

namespace {

using namespace netlib::nat;
using netlib::ip::Family;

struct Flavour {
    const char* label;
    IptablesTools tools;
};

void PrintTo(const Flavour& f, std::ostream* os) {
    *os << f.label;
}

PortmapRequest request(const std::string& id, int last_octet, std::uint16_t port) {
    PortmapRequest r;
    r.network = "pmnet";
    r.container_id = id;
    r.container_ips = {*netlib::ip::Net::parse("10.33.0." + std::to_string(last_octet) + "/24")};
    r.host_ifaces = {"cni0"};
    r.mappings = {{.host_port = port, .container_port = 80, .protocol = "tcp", .host_ip = {}}};
    return r;
}

std::size_t count(const std::string& hay, std::string_view needle) {
    std::size_t n = 0;
    for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
    return n;
}

class PortmapIptables : public ::testing::TestWithParam<Flavour> {
  protected:
    void SetUp() override {
        const auto& t = GetParam().tools;
        for (const auto& p : {t.save_v4, t.restore_v4})
            if (!find_program(p)) GTEST_SKIP() << p << " not installed";
        ASSERT_EQ(::unshare(CLONE_NEWNET), 0) << std::strerror(errno);
        // Every call of the tools logged, to count the processes an operation costs.
        dir_ = std::filesystem::temp_directory_path() / ("pm-ipt-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
        auto wrap = [&](const std::string& real, const char* tag) {
            auto path = dir_ / tag;
            std::ofstream(path) << "#!/bin/sh\necho " << tag << " >> " << (dir_ / "log").string()
                                << "\nexec " << *find_program(real) << " \"$@\"\n";
            std::filesystem::permissions(path, std::filesystem::perms::owner_all);
            return path.string();
        };
        wrapped_ = std::make_unique<IptablesPortmap>(
            IptablesTools{wrap(t.save_v4, "save4"), wrap(t.restore_v4, "restore4"),
                          wrap(t.save_v6, "save6"), wrap(t.restore_v6, "restore6")});
        // The real tools as such: only then is the nft flavour recognised as one.
        direct_ = std::make_unique<IptablesPortmap>(t);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::string calls() {
        std::ifstream in(dir_ / "log");
        std::string all, line;
        while (std::getline(in, line)) all += line + " ";
        std::filesystem::remove(dir_ / "log");
        return all;
    }
    std::string save(const char* table) {
        auto r = netlib::sys::spawn_capture({*find_program(GetParam().tools.save_v4), "-t", table},
                                            {}, {});
        EXPECT_TRUE(r && r->exit_status == 0);
        return r ? r->out : std::string();
    }

    std::filesystem::path dir_;
    std::unique_ptr<IptablesPortmap> wrapped_, direct_;
};

TEST_P(PortmapIptables, NewContainerIsOneRestoreAndEveryPathLeavesTheSameRules) {
    ASSERT_TRUE(wrapped_->add(request("c1", 2, 8081)));
    EXPECT_EQ(calls(), "restore4 save4 restore4 ") << "first ADD: the host is not set up";
    ASSERT_TRUE(wrapped_->add(request("c2", 3, 8082)));
    EXPECT_EQ(calls(), "restore4 ") << "a new container on a prepared host";
    ASSERT_TRUE(wrapped_->add(request("c1", 2, 8083)));
    EXPECT_EQ(calls(), "restore4 save4 restore4 ") << "re-ADD: the chain exists";
    ASSERT_TRUE(direct_->add(request("c3", 4, 8084)));

    const std::string jump = "-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT";
    auto nat = save("nat");
    EXPECT_EQ(count(nat, jump), 1u) << nat;
    EXPECT_EQ(count(nat, "--dport 8081 "), 0u) << "re-ADD replaced c1's port:\n" << nat;
    for (const char* port : {"8082", "8083", "8084"})
        EXPECT_EQ(count(nat, std::string("-m tcp --dport ") + port + " -j CNI-DN-"), 1u)
            << port << "\n"
            << nat;
    EXPECT_TRUE(direct_->check(request("c1", 2, 8083))) << nat;
    EXPECT_TRUE(direct_->check(request("c2", 3, 8082))) << nat;
    EXPECT_TRUE(direct_->check(request("c3", 4, 8084))) << nat;
    EXPECT_EQ(count(save("raw"), "-A PREROUTING -j CNI-HOSTPORT-LOCALGUARD"), 1u);

    // The entry jump removed by hand: the next new container must not trust the host.
    auto del = netlib::sys::spawn_capture(
        {*find_program(GetParam().tools.restore_v4), "--noflush"}, {},
        "*nat\n-D PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT\nCOMMIT\n");
    ASSERT_TRUE(del && del->exit_status == 0);
    ASSERT_TRUE(direct_->add(request("c4", 5, 8085)));
    nat = save("nat");
    EXPECT_EQ(count(nat, jump), 1u) << nat;

    for (const auto& id : {"c1", "c2", "c3", "c4"}) ASSERT_TRUE(direct_->del("pmnet", id));
    nat = save("nat");
    EXPECT_EQ(count(nat, ":CNI-DN-"), 0u) << nat;
    EXPECT_EQ(count(nat, "-j CNI-DN-"), 0u) << nat;
}

std::vector<Flavour> flavours() {
    return {{"nft", IptablesTools::nft()}, {"legacy", IptablesTools::legacy()}};
}

INSTANTIATE_TEST_SUITE_P(Flavours, PortmapIptables, ::testing::ValuesIn(flavours()),
                         [](const auto& param_info) {
                             return std::string(param_info.param.label);
                         });

}  // namespace
