// Drop-in compatibility with the reference bridge plugin's ipMasq (Debian's
// containernetworking-plugins): what it creates we CHECK and DEL, what we create it DELs.
// Runs inside the private namespaces set up by private_netns_main.cpp.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "netlib/nat/iptables_masq.hpp"
#include "netlib/nat/names.hpp"
#include "netlib/sys/fd.hpp"
#include "netlib/sys/spawn.hpp"

namespace {

using namespace netlib::nat;

constexpr const char* kRefPluginDir = "/usr/lib/cni";
const std::filesystem::path kScratch = "/run/netrun-nat-interop";

// A named network namespace file for the "container", like /run/netns/<name>.
void make_netns_file(const std::filesystem::path& path) {
    netlib::sys::Fd self(::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
    ASSERT_TRUE(self.valid());
    std::ofstream{path};
    ASSERT_EQ(::unshare(CLONE_NEWNET), 0) << std::strerror(errno);
    ASSERT_EQ(::mount("/proc/self/ns/net", path.c_str(), nullptr, MS_BIND, nullptr), 0)
        << std::strerror(errno);
    ASSERT_EQ(::setns(self.get(), CLONE_NEWNET), 0) << std::strerror(errno);
}

netlib::sys::SpawnResult run_reference_bridge(const std::string& command,
                                              const std::string& netns) {
    const std::string conf =
        nlohmann::json{
            {"cniVersion", "1.0.0"},
            {"name", "refnet"},
            {"type", "bridge"},
            {"bridge", "cnitest0"},
            {"ipMasq", true},
            {"ipam",
             {{"type", "host-local"},
              {"subnet", "10.77.0.0/24"},
              {"dataDir", (kScratch / "ipam").string()}}},
        }
            .dump();
    const char* path = std::getenv("PATH");
    std::vector<std::string> env = {
        "CNI_COMMAND=" + command,
        "CNI_CONTAINERID=ref-1",
        "CNI_NETNS=" + netns,
        "CNI_IFNAME=eth0",
        std::string("CNI_PATH=") + kRefPluginDir,
        std::string("PATH=") + (path ? path : "/usr/sbin:/usr/bin:/sbin:/bin")};
    auto r = netlib::sys::spawn_capture({std::string(kRefPluginDir) + "/bridge"}, env, conf);
    EXPECT_TRUE(r) << r.error().msg;
    return r ? *r : netlib::sys::SpawnResult{};
}

std::string nat_save() {
    auto r = netlib::sys::spawn_capture({*find_program("iptables-save"), "-t", "nat"}, {}, {});
    return r ? r->out : std::string();
}

TEST(MasqInterop, ReferenceBridgeIpMasq) {
    if (::access((std::string(kRefPluginDir) + "/bridge").c_str(), X_OK) != 0)
        GTEST_SKIP() << "reference plugins not installed in " << kRefPluginDir;
    if (!find_program("iptables-save") || !find_program("iptables-restore"))
        GTEST_SKIP() << "iptables tools not installed";
    ASSERT_EQ(::unshare(CLONE_NEWNET), 0) << std::strerror(errno);
    std::filesystem::create_directories(kScratch);
    const auto netns = (kScratch / "ctr").string();
    ASSERT_NO_FATAL_FAILURE(make_netns_file(netns));

    auto add = run_reference_bridge("ADD", netns);
    ASSERT_EQ(add.exit_status, 0) << add.out << add.err;
    const auto address =
        nlohmann::json::parse(add.out).at("ips").at(0).at("address").get<std::string>();
    const MasqRequest req{"refnet", "ref-1", {*netlib::ip::Net::parse(address)}};
    const std::string chain = masq_chain_name("refnet", "ref-1");
    ASSERT_NE(nat_save().find(":" + chain + " "), std::string::npos)
        << "reference chain name differs";

    IptablesMasq ours;
    auto check = ours.check(req);
    EXPECT_TRUE(check) << check.error().msg;
    ASSERT_TRUE(ours.del("refnet", "ref-1"));
    EXPECT_EQ(nat_save().find(chain), std::string::npos) << nat_save();

    // Our rules are exactly the reference's: its DEL (deleting by rule spec) removes them.
    ASSERT_TRUE(ours.add(req));
    auto del = run_reference_bridge("DEL", netns);
    ASSERT_EQ(del.exit_status, 0) << del.out << del.err;
    EXPECT_EQ(nat_save().find(chain), std::string::npos) << nat_save();
    EXPECT_FALSE(ours.check(req));
}

}  // namespace
