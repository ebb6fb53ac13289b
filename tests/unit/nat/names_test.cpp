// SHA-512 against published/independent vectors and chain names against the reference
// plugins' own expectations, so our chains are the ones the Go plugins create and delete.
#include "netlib/nat/names.hpp"

#include <gtest/gtest.h>

#include <string>

#include "netlib/sys/sha512.hpp"

namespace {

using netlib::nat::chain_name;
using netlib::nat::masq_chain_name;
using netlib::nat::owner_comment;
using netlib::nat::parse_owner_comment;

std::string hex(std::string_view s) {
    return netlib::sys::to_hex(netlib::sys::sha512(s));
}

// Deterministic non-text bytes so padding boundaries (111/112/128 ...) are covered.
std::string pattern(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 7) & 0xff);
    return s;
}

struct HashCase {
    std::string input;
    const char* digest;
};

TEST(Sha512, KnownVectors) {
    const HashCase cases[] = {
        {"",
         "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d28"
         "77eec2f63b931bd47417a81a538327af927da3e"},
        {"abc",
         "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a"
         "3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c33596fd15c13b1b07f9aa1d3bea5"
         "7789ca031ad85c7a71dd70354ec631238ca3445"},
        {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrl"
         "mnopqrsmnopqrstnopqrstu",
         "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec"
         "4b5433ac7d329eeb6dd26545e96e55b874be909"},
        {pattern(111),
         "d2026b9857418e96d800f55017d1c1566c027453ff240da88f0a25558fabf5d6ffbe00bb14bc04f120af1cac5"
         "3f21cb4a81765140b9249f52aaab4935079dd94"},
        {pattern(112),
         "4dc754b8985c03b8015b1efd61af5c05828b6d07eecda8d90dd5863f7704bd375905932f2fbdeb4ee1b754a77"
         "78e4a0327e7d75b71ae95d1f619136e27564467"},
        {pattern(113),
         "2cf29eb6c61dfaf9d1b0c668f157bc1bfe759be142df9ee0543171bd63b45a6c898279c73fa50e76b320f464e"
         "3770d2aaa482ae8036cec06d2199ceb4fb70a24"},
        {pattern(127),
         "78de13cc28717e3ee7a3cb21b2ecac6d201f32f4a81bc1becdf9de5126e1a0139e25784aeb8baf327cc32f98d"
         "54d20e80e61d4d6bff5b37872fdaa645a4f3886"},
        {pattern(128),
         "6e7f10bc87eacc3e98014eaade39e273285ba13c79231361c24c304a8d409018f543a28847fcc829b87fdde60"
         "5caa5ab5fdb00e296737fa4687d5ee8d130ceea"},
        {pattern(129),
         "cdc5b3e2f22ed03935760389c88672f8b3c867503aff012d5f9653e426c9b530e091356459108edadc8e09a44"
         "4a50415b30d38f9d75cb8c456fec0ae3ca6901f"},
        {pattern(239),
         "d29cefaac62d3e8acd367abe0804c702a4848773ada2ad537619bc5c29a3a1f0c7d58c639638ede6869cf4353"
         "6bb0530c2e8cee6b29ac3999e1216b6e88bab4f"},
        {pattern(240),
         "44f1b40dcf17562fc7119b65ea16035838ccb0438092ef3c7ba8011fda5448d6ccff715c5d17e4e399154938c"
         "8e89be6cf724018868cac11f383709af4e0d0e5"},
    };
    for (const auto& c : cases)
        EXPECT_EQ(hex(c.input), c.digest) << "input length " << c.input.size();
}

TEST(Sha512, MillionAs) {
    EXPECT_EQ(hex(std::string(1000000, 'a')),
              "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0"
              "432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b");
}

TEST(Sha512, IncrementalEqualsOneShot) {
    const std::string data = pattern(1000);
    for (std::size_t split : {0u, 1u, 111u, 128u, 129u, 999u, 1000u}) {
        netlib::sys::Sha512 h;
        h.update(std::string_view(data).substr(0, split));
        h.update(std::string_view(data).substr(split));
        EXPECT_EQ(h.finish(), netlib::sys::sha512(data)) << "split at " << split;
    }
}

struct ChainCase {
    std::string_view prefix, network, id, want;
};

TEST(ChainName, MatchesReference) {
    const ChainCase cases[] = {
        // Expectations from the reference plugins' own tests (pkg/utils).
        {"CNI-", "test", "1234", "CNI-2bbe0c48b91a7d1b8a6753a8"},
        {"CNI-", "testalongnamethatdoesnotmakesense", "1234", "CNI-374f33fe84ab0ed84dcdebe3"},
        {"CNI-PREFIX-", "test", "1234", "CNI-PREFIX-2bbe0c48b91a7d1b8"},
        {"CNI-PREFIX-", "testalongnamethatdoesnotmakesense", "1234",
         "CNI-PREFIX-374f33fe84ab0ed84"},
        // printf '%s' netid | sha512sum  ->  30e7440e95deb2a63c98a3df2d74...
        {"CNI-", "net", "id", "CNI-30e7440e95deb2a63c98a3df"},
        {"CNI-DN-", "net", "id", "CNI-DN-30e7440e95deb2a63c98a"},
    };
    for (const auto& c : cases) {
        auto got = chain_name(c.prefix, c.network, c.id);
        EXPECT_EQ(got, c.want);
        EXPECT_EQ(got.size(), netlib::nat::kChainNameLen);
    }
    EXPECT_EQ(masq_chain_name("net", "id"), "CNI-30e7440e95deb2a63c98a3df");
    EXPECT_NE(masq_chain_name("test", "1234"), masq_chain_name("test", "1235"));
}

TEST(ChainNameDeathTest, PrefixTooLong) {
    EXPECT_DEATH(chain_name("CNI-PREFIX-PREFIX-PREFIX-PRE", "n", "i"), "no room");
}

TEST(OwnerComment, FormatsLikeGoQuote) {
    EXPECT_EQ(owner_comment("mynet", "abc123"), R"(name: "mynet" id: "abc123")");
    EXPECT_EQ(owner_comment("a\"b", "c\\d"), R"(name: "a\"b" id: "c\\d")");
    EXPECT_EQ(owner_comment("t\tx", ""), R"(name: "t\x09x" id: "")");
}

TEST(OwnerComment, ParseRoundTrip) {
    for (auto [net, id] : {std::pair{"mynet", "abc123"},
                           {"a\"b", "c\\d"},
                           {"t\tx", ""},
                           {"n.e-t_1", "0123456789abcdef0123456789abcdef"}}) {
        auto o = parse_owner_comment(owner_comment(net, id));
        ASSERT_TRUE(o) << net << " " << id;
        EXPECT_EQ(o->network, net);
        EXPECT_EQ(o->container_id, id);
    }
}

TEST(OwnerComment, RejectsOtherComments) {
    for (std::string_view c :
         {"", "x", R"(dnat name: "n" id: "c")", R"(name: "n" id: "c" )", R"(name: "n" id: "c)",
          R"(name: "n"id: "c")", R"(name: n id: "c")", R"(name: "n" id: "c\q")"}) {
        EXPECT_FALSE(parse_owner_comment(c)) << c;
    }
}

}  // namespace
