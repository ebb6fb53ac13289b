#include "netlib/sys/base64.hpp"

#include <gtest/gtest.h>

using netlib::sys::base64_decode;
using netlib::sys::base64_encode;

// RFC 4648 §10 test vectors.
TEST(Base64, Rfc4648Vectors) {
    const std::pair<const char*, const char*> cases[] = {
        {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
    };
    for (auto [plain, enc] : cases) {
        EXPECT_EQ(base64_encode(plain), enc) << plain;
        auto d = base64_decode(enc);
        ASSERT_TRUE(d) << enc;
        EXPECT_EQ(*d, plain);
    }
}

TEST(Base64, AllByteValuesRoundTrip) {
    std::string all;
    for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
    for (std::size_t len = 0; len <= all.size(); len += 37) {
        auto d = base64_decode(base64_encode(all.substr(0, len)));
        ASSERT_TRUE(d);
        EXPECT_EQ(*d, all.substr(0, len));
    }
    EXPECT_EQ(base64_encode(std::string("\xfb\xff", 2)), "+/8=");  // the two non-alnum symbols
}

TEST(Base64, LenientForms) {
    EXPECT_EQ(*base64_decode("Zm9vYg"), "foob");       // unpadded
    EXPECT_EQ(*base64_decode("Zm9v\r\nYmFy"), "foobar");  // line-wrapped
}

TEST(Base64, BadInputIsDecodeError) {
    for (const char* bad : {"Zm9v!", "Z", "Zm9vY", "Zg===", "Zg=a", "Z=g=", "Zm9=v"}) {
        auto d = base64_decode(bad);
        ASSERT_FALSE(d) << bad;
        EXPECT_EQ(d.error().code, 6) << bad;
    }
}
