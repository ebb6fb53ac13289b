// The iptables masquerade backend against the real iptables tools (nft and legacy flavours).
// Root only; main() (private_netns_main.cpp) moves the process into a private network + mount
// namespace before any test runs, and every test starts in a fresh network namespace.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "netlib/nat/iptables_exec.hpp"
#include "netlib/nat/iptables_masq.hpp"
#include "netlib/nat/names.hpp"
#include "netlib/sys/spawn.hpp"

namespace {

using namespace netlib::nat;
using netlib::ip::Family;
using netlib::ip::Net;

struct Flavour {
    const char* label;
    IptablesTools tools;
};

void PrintTo(const Flavour& f, std::ostream* os) {
    *os << f.label;
}

MasqRequest req(std::string net, std::string id, std::initializer_list<std::string_view> ips) {
    MasqRequest r{std::move(net), std::move(id), {}};
    for (auto s : ips) r.ips.push_back(*Net::parse(s));
    return r;
}

std::string run_save(const IptablesTools& t, Family f) {
    auto prog = find_program(f == Family::V4 ? t.save_v4 : t.save_v6);
    EXPECT_TRUE(prog);
    auto r = netlib::sys::spawn_capture({*prog, "-t", "nat"}, {}, {});
    EXPECT_TRUE(r && r->exit_status == 0) << (r ? r->err : r.error().msg);
    return r ? r->out : std::string();
}

std::vector<std::string> rule_lines(const std::string& save) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < save.size()) {
        auto nl = save.find('\n', pos);
        std::string line = save.substr(pos, nl - pos);
        if (line.starts_with("-A ") || line.starts_with(":CNI-")) out.push_back(line);
        pos = nl == std::string::npos ? save.size() : nl + 1;
    }
    return out;
}

std::size_t count_mentions(const std::string& save, std::string_view what) {
    std::size_t n = 0;
    for (auto pos = save.find(what); pos != std::string::npos; pos = save.find(what, pos + 1)) ++n;
    return n;
}

std::string expected_v4_lines(std::string_view net, std::string_view id, std::string_view ip,
                              std::string_view subnet) {
    const std::string c = masq_chain_name(net, id);
    const std::string cm = "-m comment --comment \"name: \\\"" + std::string(net) +
                           "\\\" id: \\\"" + std::string(id) + "\\\"\"";
    return "-A POSTROUTING -s " + std::string(ip) + "/32 " + cm + " -j " + c + "\n" + "-A " + c +
           " -d " + std::string(subnet) + " " + cm + " -j ACCEPT\n" + "-A " + c +
           " ! -d 224.0.0.0/4 " + cm + " -j MASQUERADE\n";
}

class MasqIptables : public ::testing::TestWithParam<Flavour> {
  protected:
    void SetUp() override {
        const auto& t = GetParam().tools;
        for (const auto& p : {t.save_v4, t.restore_v4, t.save_v6, t.restore_v6}) {
            if (!find_program(p)) GTEST_SKIP() << p << " not installed";
        }
        // A fresh namespace per test: no rule from another test or flavour is visible.
        ASSERT_EQ(::unshare(CLONE_NEWNET), 0) << std::strerror(errno);
        backend_ = std::make_unique<IptablesMasq>(t);
    }
    const IptablesTools& tools() const { return GetParam().tools; }
    std::string save4() const { return run_save(tools(), Family::V4); }
    std::string save6() const { return run_save(tools(), Family::V6); }

    std::unique_ptr<IptablesMasq> backend_;
};

TEST_P(MasqIptables, AddInstallsReferenceRules) {
    ASSERT_TRUE(backend_->add(req("testnet", "ctr-a", {"10.88.0.5/16"})));
    auto save = save4();
    const std::string c = masq_chain_name("testnet", "ctr-a");
    EXPECT_NE(save.find(":" + c + " - [0:0]\n"), std::string::npos) << save;
    EXPECT_NE(save.find(expected_v4_lines("testnet", "ctr-a", "10.88.0.5", "10.88.0.0/16")),
              std::string::npos)
        << save;
    EXPECT_TRUE(backend_->check(req("testnet", "ctr-a", {"10.88.0.5/16"})));
    // No IPv6 address, so nothing was written to the IPv6 nat table.
    EXPECT_EQ(count_mentions(save6(), c), 0u);
}

TEST_P(MasqIptables, AddTwiceLeavesOneSet) {
    const auto r = req("testnet", "ctr-a", {"10.88.0.5/16"});
    ASSERT_TRUE(backend_->add(r));
    auto first = rule_lines(save4());
    auto again = backend_->add(r);
    ASSERT_TRUE(again) << again.error().msg;
    EXPECT_EQ(rule_lines(save4()), first);
    EXPECT_EQ(first.size(), 4u);  // chain + 2 rules in it + 1 jump
    // Re-ADD with a new address replaces the old jump instead of adding a second one.
    ASSERT_TRUE(backend_->add(req("testnet", "ctr-a", {"10.88.0.6/16"})));
    auto save = save4();
    EXPECT_EQ(count_mentions(save, "-j " + masq_chain_name("testnet", "ctr-a")), 1u) << save;
    EXPECT_EQ(count_mentions(save, "10.88.0.5"), 0u) << save;
}

TEST_P(MasqIptables, DelRemovesOnlyThatContainer) {
    ASSERT_TRUE(backend_->add(req("testnet", "ctr-a", {"10.88.0.5/16", "10.99.0.5/24"})));
    ASSERT_TRUE(backend_->add(req("testnet", "ctr-b", {"10.88.0.6/16"})));
    auto del = backend_->del("testnet", "ctr-a");
    ASSERT_TRUE(del) << del.error().msg;
    auto save = save4();
    EXPECT_EQ(count_mentions(save, masq_chain_name("testnet", "ctr-a")), 0u) << save;
    EXPECT_EQ(count_mentions(save, "id: \\\"ctr-a\\\""), 0u) << save;
    EXPECT_NE(save.find(expected_v4_lines("testnet", "ctr-b", "10.88.0.6", "10.88.0.0/16")),
              std::string::npos)
        << save;
    EXPECT_TRUE(backend_->check(req("testnet", "ctr-b", {"10.88.0.6/16"})));
    // Idempotent: again, and for something that never existed.
    EXPECT_TRUE(backend_->del("testnet", "ctr-a"));
    EXPECT_TRUE(backend_->del("othernet", "never"));
    EXPECT_EQ(rule_lines(save4()), rule_lines(save));
}

TEST_P(MasqIptables, DualStackAddAndDel) {
    const auto r = req("dual", "ctr-d", {"10.88.0.7/16", "fd00:88::7/64"});
    auto add = backend_->add(r);
    ASSERT_TRUE(add) << add.error().msg;
    const std::string c = masq_chain_name("dual", "ctr-d");
    auto s6 = save6();
    EXPECT_NE(s6.find("-A POSTROUTING -s fd00:88::7/128 -m comment"), std::string::npos) << s6;
    EXPECT_NE(s6.find("-A " + c + " -d fd00:88::/64 -m comment"), std::string::npos) << s6;
    EXPECT_NE(s6.find("-A " + c + " ! -d ff00::/8 -m comment"), std::string::npos) << s6;
    EXPECT_TRUE(backend_->check(r));
    ASSERT_TRUE(backend_->del("dual", "ctr-d"));
    EXPECT_EQ(count_mentions(save4(), c), 0u);
    EXPECT_EQ(count_mentions(save6(), c), 0u);
}

TEST_P(MasqIptables, GcRemovesOnlyInvalidOfTheNetwork) {
    ASSERT_TRUE(backend_->add(req("net1", "keep", {"10.1.0.2/24"})));
    ASSERT_TRUE(backend_->add(req("net1", "stale", {"10.1.0.3/24", "fd00:1::3/64"})));
    ASSERT_TRUE(backend_->add(req("net2", "other", {"10.2.0.2/24"})));
    const std::vector<std::string> valid = {"keep"};
    auto gc = backend_->gc("net1", valid);
    ASSERT_TRUE(gc) << gc.error().msg;
    const std::string stale = masq_chain_name("net1", "stale");
    EXPECT_EQ(count_mentions(save4(), stale), 0u);
    EXPECT_EQ(count_mentions(save6(), stale), 0u);
    EXPECT_TRUE(backend_->check(req("net1", "keep", {"10.1.0.2/24"})));
    EXPECT_TRUE(backend_->check(req("net2", "other", {"10.2.0.2/24"})));
    auto lines = rule_lines(save4());
    ASSERT_TRUE(backend_->gc("net1", valid));
    EXPECT_EQ(rule_lines(save4()), lines);
}

TEST_P(MasqIptables, CheckFailsAfterManualDelete) {
    const auto r = req("testnet", "ctr-c", {"10.88.0.9/16"});
    ASSERT_TRUE(backend_->add(r));
    ASSERT_TRUE(backend_->check(r));
    const std::string c = masq_chain_name("testnet", "ctr-c");
    Iptables ipt(tools());
    ASSERT_TRUE(ipt.restore(Family::V4,
                            "*nat\n-D POSTROUTING -s 10.88.0.9/32 -m comment --comment "
                            "\"name: \\\"testnet\\\" id: \\\"ctr-c\\\"\" -j " +
                                c + "\nCOMMIT\n"));
    auto res = backend_->check(r);
    ASSERT_FALSE(res);
    EXPECT_EQ(res.error().code, static_cast<int>(netlib::Code::CheckFailed));
    EXPECT_NE(res.error().msg.find("POSTROUTING lacks the jump"), std::string::npos)
        << res.error().msg;
    // DEL still cleans up the half-present state (chain without jump).
    ASSERT_TRUE(backend_->del("testnet", "ctr-c"));
    EXPECT_EQ(count_mentions(save4(), c), 0u);
}

TEST_P(MasqIptables, LongNamesCutCommentButStayManaged) {
    const std::string net(190, 'n'), keep(64, 'a'), gone(64, 'b');
    ASSERT_TRUE(backend_->add(req(net, keep, {"10.88.0.10/16"})));
    ASSERT_TRUE(backend_->add(req(net, gone, {"10.88.0.11/16"})));
    EXPECT_TRUE(backend_->check(req(net, keep, {"10.88.0.10/16"})));
    const std::vector<std::string> valid = {keep};
    ASSERT_TRUE(backend_->gc(net, valid));
    EXPECT_EQ(count_mentions(save4(), masq_chain_name(net, gone)), 0u);
    EXPECT_TRUE(backend_->check(req(net, keep, {"10.88.0.10/16"})));
    ASSERT_TRUE(backend_->del(net, keep));
    EXPECT_EQ(count_mentions(save4(), "nnnnnnnn"), 0u);
}

TEST_P(MasqIptables, FailedV6HalfTakesBackV4) {
    IptablesTools broken = tools();
    broken.restore_v6 = "/nonexistent/ip6tables-restore";
    IptablesMasq b(broken);
    auto res = b.add(req("dual", "ctr-f", {"10.88.0.11/16", "fd00:88::11/64"}));
    ASSERT_FALSE(res);
    EXPECT_EQ(count_mentions(save4(), masq_chain_name("dual", "ctr-f")), 0u);
}

// Wrapper scripts log every exec, to hold the backend to its exec budget.
TEST_P(MasqIptables, ExecsPerOperation) {
    auto dir = std::filesystem::temp_directory_path() / ("nat-exec-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto log = dir / "log";
    auto wrap = [&](const std::string& real, const char* tag) {
        auto path = dir / tag;
        std::ofstream(path) << "#!/bin/sh\necho " << tag << " >> " << log.string() << "\nexec "
                            << *find_program(real) << " \"$@\"\n";
        std::filesystem::permissions(path, std::filesystem::perms::owner_all);
        return path.string();
    };
    const auto& t = tools();
    IptablesMasq b(IptablesTools{wrap(t.save_v4, "save4"), wrap(t.restore_v4, "restore4"),
                                 wrap(t.save_v6, "save6"), wrap(t.restore_v6, "restore6")});
    auto calls = [&] {
        std::ifstream in(log);
        std::string all, line;
        while (std::getline(in, line)) all += line + " ";
        std::filesystem::remove(log);
        return all;
    };
    // A new container: one restore, no save. A re-ADD: that restore is refused (the chain
    // exists), then the table is read and the rules replaced.
    ASSERT_TRUE(b.add(req("n", "x", {"10.1.0.2/24"})));
    EXPECT_EQ(calls(), "restore4 ");
    ASSERT_TRUE(b.add(req("n", "x", {"10.1.0.2/24"})));
    EXPECT_EQ(calls(), "restore4 save4 restore4 ");
    ASSERT_TRUE(b.check(req("n", "x", {"10.1.0.2/24"})));
    EXPECT_EQ(calls(), "save4 ");
    ASSERT_TRUE(b.del("n", "x"));
    EXPECT_EQ(calls(), "save4 restore4 save6 ");
    ASSERT_TRUE(b.del("n", "x"));
    EXPECT_EQ(calls(), "save4 save6 ");
    // Both families' tools run at once, so either may log first.
    ASSERT_TRUE(b.add(req("n", "y", {"10.1.0.3/24", "fd00::3/64"})));
    EXPECT_THAT(calls(), ::testing::AnyOf("restore4 restore6 ", "restore6 restore4 "));
    std::filesystem::remove_all(dir);
}

TEST(MasqIptablesErrors, RestoreFailureIsKernelErrorWithToolText) {
    auto dir = std::filesystem::temp_directory_path() / ("nat-fail-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto fake = dir / "fake-restore";
    std::ofstream(fake) << "#!/bin/sh\ncat >/dev/null\necho 'fake-restore: line 3 failed' >&2\n"
                           "echo 'Error occurred at line: 3' >&2\nexit 2\n";
    std::filesystem::permissions(fake, std::filesystem::perms::owner_all);
    IptablesTools t;
    t.restore_v4 = fake.string();
    IptablesMasq b(t);
    auto res = b.add(req("testnet", "ctr-e", {"10.88.0.10/16"}));
    ASSERT_FALSE(res);
    EXPECT_EQ(res.error().code, static_cast<int>(netlib::Code::Kernel));
    EXPECT_NE(res.error().msg.find("ctr-e"), std::string::npos) << res.error().msg;
    EXPECT_NE(res.error().msg.find("exit 2"), std::string::npos) << res.error().msg;
    EXPECT_NE(res.error().msg.find("fake-restore: line 3 failed;Error occurred at line: 3"),
              std::string::npos)
        << res.error().msg;
    EXPECT_NE(res.error().details.find("-j MASQUERADE"), std::string::npos);  // the batch
    std::filesystem::remove_all(dir);
}

std::vector<Flavour> flavours() {
    return {{"default", IptablesTools::system_default()},
            {"nft", IptablesTools::nft()},
            {"legacy", IptablesTools::legacy()}};
}

INSTANTIATE_TEST_SUITE_P(Flavours, MasqIptables, ::testing::ValuesIn(flavours()),
                         [](const auto& param_info) {
                             return std::string(param_info.param.label);
                         });

}  // namespace
