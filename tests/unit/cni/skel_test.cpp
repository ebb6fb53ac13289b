#include "netlib/cni/skel.hpp"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

using namespace netlib;
using nlohmann::json;

namespace {

struct Invocation {
    std::map<std::string, std::string> env;
    std::string stdin_text;
};

Invocation base(std::string cmd = "ADD") {
    return {{{"CNI_COMMAND", cmd},
             {"CNI_CONTAINERID", "ctr1"},
             {"CNI_NETNS", "/run/netns/does-not-matter"},
             {"CNI_IFNAME", "eth0"},
             {"CNI_PATH", "/opt/cni/bin"}},
            R"({"cniVersion":"1.0.0","name":"net1","type":"fake"})"};
}

cni::Plugin fake_plugin(int* adds = nullptr) {
    cni::Plugin p;
    p.known_args = {"IP"};
    p.add = [adds](const cni::Request& r) -> Expected<cni::Result> {
        if (adds) ++*adds;
        cni::Result res;
        res.ips = {{.address = *ip::Net::parse("10.0.0.2/24"), .interface = 0}};
        res.interfaces = {{.name = r.ifname, .sandbox = r.netns}};
        return res;
    };
    p.del = [](const cni::Request&) -> Expected<> { return {}; };
    p.check = p.del;
    return p;
}

struct Outcome {
    int rc;
    json out;
};

Outcome run(const Invocation& inv, const cni::Plugin& p = fake_plugin()) {
    std::string out;
    int rc = cni::run_plugin(
        p,
        [&](const char* n) -> const char* {
            auto it = inv.env.find(n);
            return it == inv.env.end() ? nullptr : it->second.c_str();
        },
        inv.stdin_text, out);
    auto j = out.empty() ? json() : json::parse(out);
    return {rc, j};
}

}  // namespace

TEST(Skel, AddSuccessConvertsToConfigVersion) {
    auto inv = base();
    inv.stdin_text = R"({"cniVersion":"0.3.1","name":"net1","type":"fake"})";
    auto o = run(inv);
    ASSERT_EQ(o.rc, 0) << o.out.dump();
    EXPECT_EQ(o.out["cniVersion"], "0.3.1");
    EXPECT_EQ(o.out["ips"][0]["version"], "4");
}

TEST(Skel, VersionNeedsNoOtherEnv) {
    auto o = run({{{"CNI_COMMAND", "VERSION"}}, R"({"cniVersion":"1.1.0"})"});
    ASSERT_EQ(o.rc, 0);
    EXPECT_EQ(o.out["cniVersion"], "1.1.0");
    auto v = o.out["supportedVersions"];
    EXPECT_EQ(v, json({"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"}));
}

TEST(Skel, DelWithoutNetnsIsFine) {
    auto inv = base("DEL");
    inv.env.erase("CNI_NETNS");
    EXPECT_EQ(run(inv).rc, 0);
}

TEST(Skel, IgnoreUnknownArgs) {
    auto inv = base();
    inv.env["CNI_ARGS"] = "IgnoreUnknown=1;K8S_POD_NAME=x;IP=10.0.0.9";
    EXPECT_EQ(run(inv).rc, 0);
}

// Every bad input: the code, a word the message must contain, and the handler never runs.
struct BadCase {
    const char* what;
    std::function<void(Invocation&)> mutate;
    int code;
    const char* needle;
};

class SkelBadInput : public ::testing::TestWithParam<BadCase> {};

TEST_P(SkelBadInput, ErrorJsonOnStdout) {
    const auto& c = GetParam();
    auto inv = base();
    c.mutate(inv);
    int adds = 0;
    auto o = run(inv, fake_plugin(&adds));
    EXPECT_EQ(o.rc, 1);
    ASSERT_TRUE(o.out.is_object()) << c.what;
    EXPECT_EQ(o.out["code"], c.code) << c.what << ": " << o.out.dump();
    EXPECT_NE(o.out["msg"].get<std::string>().find(c.needle), std::string::npos)
        << c.what << ": " << o.out["msg"];
    EXPECT_TRUE(o.out.contains("cniVersion"));
    EXPECT_EQ(adds, 0) << c.what;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SkelBadInput,
    ::testing::Values(
        BadCase{"no command", [](auto& i) { i.env.erase("CNI_COMMAND"); }, 4, "CNI_COMMAND"},
        BadCase{"unknown command", [](auto& i) { i.env["CNI_COMMAND"] = "ATTACH"; }, 4, "ATTACH"},
        BadCase{"no container id", [](auto& i) { i.env.erase("CNI_CONTAINERID"); }, 4, "CNI_CONTAINERID"},
        BadCase{"empty container id", [](auto& i) { i.env["CNI_CONTAINERID"] = ""; }, 4, "CNI_CONTAINERID"},
        BadCase{"bad container id", [](auto& i) { i.env["CNI_CONTAINERID"] = "-abc"; }, 4, "containerID"},
        BadCase{"container id with slash", [](auto& i) { i.env["CNI_CONTAINERID"] = "a/b"; }, 4, "a/b"},
        BadCase{"no netns on ADD", [](auto& i) { i.env.erase("CNI_NETNS"); }, 4, "CNI_NETNS"},
        BadCase{"no ifname", [](auto& i) { i.env.erase("CNI_IFNAME"); }, 4, "CNI_IFNAME"},
        BadCase{"ifname too long", [](auto& i) { i.env["CNI_IFNAME"] = "abcdefghijklmnop"; }, 4, "15"},
        BadCase{"ifname with colon", [](auto& i) { i.env["CNI_IFNAME"] = "eth0:1"; }, 4, "eth0:1"},
        BadCase{"ifname dot", [](auto& i) { i.env["CNI_IFNAME"] = ".."; }, 4, ".."},
        BadCase{"ifname space", [](auto& i) { i.env["CNI_IFNAME"] = "a b"; }, 4, "whitespace"},
        BadCase{"no CNI_PATH", [](auto& i) { i.env.erase("CNI_PATH"); }, 4, "CNI_PATH"},
        BadCase{"malformed CNI_ARGS", [](auto& i) { i.env["CNI_ARGS"] = "IP"; }, 4, "CNI_ARGS"},
        BadCase{"unknown CNI_ARGS key", [](auto& i) { i.env["CNI_ARGS"] = "FOO=1"; }, 2, "FOO"},
        BadCase{"malformed JSON", [](auto& i) { i.stdin_text = "{\"name\":"; }, 6, "decoding"},
        BadCase{"empty stdin", [](auto& i) { i.stdin_text = ""; }, 6, "decoding"},
        BadCase{"JSON not object", [](auto& i) { i.stdin_text = "[1,2]"; }, 6, "object"},
        BadCase{"no cniVersion", [](auto& i) { i.stdin_text = R"({"name":"n","type":"t"})"; }, 1, "0.1.0"},
        BadCase{"unsupported version", [](auto& i) { i.stdin_text = R"({"cniVersion":"0.2.0","name":"n","type":"t"})"; }, 1, "0.2.0"},
        BadCase{"future version", [](auto& i) { i.stdin_text = R"({"cniVersion":"2.0.0","name":"n","type":"t"})"; }, 1, "2.0.0"},
        BadCase{"garbage version", [](auto& i) { i.stdin_text = R"({"cniVersion":"one","name":"n","type":"t"})"; }, 6, "one"},
        BadCase{"missing name", [](auto& i) { i.stdin_text = R"({"cniVersion":"1.0.0","type":"t"})"; }, 7, "name"},
        BadCase{"bad name", [](auto& i) { i.stdin_text = R"({"cniVersion":"1.0.0","name":"my net","type":"t"})"; }, 7, "my net"},
        BadCase{"missing type", [](auto& i) { i.stdin_text = R"({"cniVersion":"1.0.0","name":"n"})"; }, 7, "type"},
        BadCase{"CHECK on 0.3.1", [](auto& i) { i.env["CNI_COMMAND"] = "CHECK"; i.stdin_text = R"({"cniVersion":"0.3.1","name":"n","type":"t"})"; }, 1, "CHECK"},
        BadCase{"GC on 1.0.0", [](auto& i) { i.env["CNI_COMMAND"] = "GC"; }, 1, "GC"},
        BadCase{"bad prevResult", [](auto& i) { i.stdin_text = R"({"cniVersion":"1.0.0","name":"n","type":"t","prevResult":{"ips":[{"address":"bogus"}]}})"; }, 6, "prevResult"},
        BadCase{"own netns", [](auto& i) { i.env["CNI_NETNS"] = "/proc/self/ns/net"; }, 8, "own network namespace"}));

TEST(Skel, GcParsesValidAttachments) {
    cni::Plugin p = fake_plugin();
    std::vector<cni::Attachment> seen;
    p.gc = [&](const cni::Request& r) -> Expected<> {
        seen = r.valid_attachments;
        return {};
    };
    Invocation inv{{{"CNI_COMMAND", "GC"}, {"CNI_PATH", "/x"}},
                   R"({"cniVersion":"1.1.0","name":"n","type":"t","cni.dev/valid-attachments":[{"containerID":"a","ifname":"eth0"}]})"};
    ASSERT_EQ(run(inv, p).rc, 0);
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].container_id, "a");
}

TEST(Skel, PluginErrorKeepsItsCode) {
    cni::Plugin p = fake_plugin();
    p.add = [](const cni::Request&) -> Expected<cni::Result> {
        return fail(Code::AddressExhausted, "no IP addresses available in range 10.0.0.0/30");
    };
    auto o = run(base(), p);
    EXPECT_EQ(o.rc, 1);
    EXPECT_EQ(o.out["code"], 101);
    EXPECT_EQ(o.out["cniVersion"], "1.0.0");
}
