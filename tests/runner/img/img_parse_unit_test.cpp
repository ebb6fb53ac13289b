// No root: the pure pieces of the image store (entry paths, names, digests, configs).
#include <gtest/gtest.h>

#include "image/archive_reader.hpp"
#include "image/digest.hpp"
#include "image/image_record.hpp"
#include "image/image_source.hpp"

using namespace netrun::image;

TEST(ImageParse, EntryPathsAreCleanedOrRefused) {
    struct Case {
        const char* in;
        std::optional<std::string> want;
    };
    for (const auto& c : std::vector<Case>{{"a/b", "a/b"},
                                           {"./a/./b/", "a/b"},
                                           {"/abs/file", "abs/file"},
                                           {"./", ""},
                                           {"", ""},
                                           {"a//b", "a/b"},
                                           {"..", std::nullopt},
                                           {"a/../../b", std::nullopt},
                                           {"a/..", std::nullopt},
                                           {"..a/b..", "..a/b.."}}) {
        EXPECT_EQ(clean_entry_path(c.in), c.want) << c.in;
    }
}

TEST(ImageParse, NamesNormalizeLatestAndRefuseGarbage) {
    EXPECT_EQ(normalize_name("netrun/busybox:latest").value(), "netrun/busybox");
    EXPECT_EQ(normalize_name("netrun/busybox").value(), "netrun/busybox");
    EXPECT_EQ(normalize_name("reg:5000/x").value(), "reg:5000/x");
    EXPECT_EQ(normalize_name("reg:5000/x:latest").value(), "reg:5000/x");
    EXPECT_EQ(normalize_name("x:1.0").value(), "x:1.0");
    for (const char* bad : {"", "has space", "/abs", "-flag", "a\nb", "semi;colon"})
        EXPECT_FALSE(normalize_name(bad)) << bad;
    EXPECT_FALSE(normalize_name(std::string(300, 'a')));
}

TEST(ImageParse, DigestsAreSha256Hex) {
    EXPECT_EQ(sha256_hex(std::string_view("abc")),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    std::string hex(64, 'a');
    EXPECT_EQ(digest_hex("sha256:" + hex).value(), hex);
    EXPECT_FALSE(digest_hex("sha512:" + hex));
    EXPECT_FALSE(digest_hex("sha256:" + hex.substr(1)));
    EXPECT_FALSE(digest_hex("sha256:../../../../etc/passwd" + std::string(36, 'a')));
    EXPECT_FALSE(digest_hex("sha256:" + std::string(64, 'A')));
}

TEST(ImageParse, DockerAndOciConfigFields) {
    ImageSource src;
    ASSERT_TRUE(parse_image_config(
        R"({"created":"2024-01-02T03:04:05Z","config":{"Env":["A=1"],"Entrypoint":null,
        "Cmd":["sh","-c","x"],"WorkingDir":"/w","User":"nobody"}})",
        src));
    EXPECT_EQ(src.created, "2024-01-02T03:04:05Z");
    EXPECT_EQ(src.config.env, std::vector<std::string>{"A=1"});
    EXPECT_TRUE(src.config.entrypoint.empty());
    EXPECT_EQ(src.config.cmd, (std::vector<std::string>{"sh", "-c", "x"}));
    EXPECT_EQ(src.config.workdir, "/w");
    EXPECT_EQ(src.config.user, "nobody");

    ImageSource bare;
    EXPECT_TRUE(parse_image_config(R"({"architecture":"amd64"})", bare));
    EXPECT_TRUE(bare.config.cmd.empty());
    ImageSource bad;
    EXPECT_FALSE(parse_image_config("[1,2]", bad));
    EXPECT_FALSE(parse_image_config(R"({"config":{"Env":"not-a-list"}})", bad));
    EXPECT_FALSE(parse_image_config("{", bad));
}
