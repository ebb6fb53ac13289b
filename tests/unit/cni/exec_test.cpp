#include "netlib/cni/exec.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

using namespace netlib;

namespace {
// A throwaway plugin directory with shell-script plugins.
class ExecTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/netrun-exec-XXXXXX";
        dir_ = ::mkdtemp(tmpl);
    }
    void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }
    void script(const std::string& name, const std::string& body) {
        std::string p = dir_ + "/" + name;
        std::ofstream(p) << "#!/bin/sh\n" << body;
        ::chmod(p.c_str(), 0755);
    }
    cni::Invocation inv() { return {cni::Command::Add, "c1", "/run/netns/x", "eth0", "", "/nonexistent:" + dir_}; }
    std::string dir_;
};
}  // namespace

TEST_F(ExecTest, PassesEnvAndStdin) {
    script("echoenv", R"(read -r line; printf '{"cmd":"%s","id":"%s","if":"%s","in":%s}' "$CNI_COMMAND" "$CNI_CONTAINERID" "$CNI_IFNAME" "$line")");
    auto j = cni::exec_plugin("echoenv", inv(), "{\"a\":1}\n");
    ASSERT_TRUE(j) << j.error().msg;
    EXPECT_EQ((*j)["cmd"], "ADD");
    EXPECT_EQ((*j)["id"], "c1");
    EXPECT_EQ((*j)["if"], "eth0");
    EXPECT_EQ((*j)["in"]["a"], 1);
}

TEST_F(ExecTest, ErrorJsonKeepsCode) {
    script("failer", R"(echo '{"cniVersion":"1.0.0","code":101,"msg":"exhausted","details":"d"}'; exit 1)");
    auto j = cni::exec_plugin("failer", inv(), "{}");
    ASSERT_FALSE(j);
    EXPECT_EQ(j.error().code, 101);
    EXPECT_EQ(j.error().msg, "exhausted");
    EXPECT_EQ(j.error().details, "d");
}

TEST_F(ExecTest, NonJsonFailureUsesStderr) {
    script("crash", "echo boom >&2; exit 3\n");
    auto j = cni::exec_plugin("crash", inv(), "{}");
    ASSERT_FALSE(j);
    EXPECT_EQ(j.error().code, 103);
    EXPECT_NE(j.error().msg.find("boom"), std::string::npos);
}

TEST_F(ExecTest, MissingPluginNamesPath) {
    auto j = cni::exec_plugin("nosuch", inv(), "{}");
    ASSERT_FALSE(j);
    EXPECT_EQ(j.error().code, 103);
    EXPECT_NE(j.error().msg.find("nosuch"), std::string::npos);
}

TEST_F(ExecTest, TypeWithSlashRefused) {
    auto j = cni::exec_plugin("../bin/sh", inv(), "{}");
    ASSERT_FALSE(j);
    EXPECT_EQ(j.error().code, 7);
}

TEST_F(ExecTest, LargeStdinAndStdout) {
    script("cat", "exec cat\n");
    std::string big = "\"" + std::string(300000, 'x') + "\"";
    auto j = cni::exec_plugin("cat", inv(), big);
    ASSERT_TRUE(j) << j.error().msg;
    EXPECT_EQ(j->get<std::string>().size(), 300000u);
}

TEST_F(ExecTest, PluginIgnoringStdinDoesNotKillUs) {
    script("quiet", "exit 0\n");
    auto j = cni::exec_plugin("quiet", inv(), std::string(1 << 20, 'x'));
    ASSERT_TRUE(j) << j.error().msg;
    EXPECT_TRUE(j->is_null());
}
