// Hostile and broken input: nothing is written outside the store, no partial layer is
// left, and the error says what is wrong with a code the CLI can map (exit 125).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "img_fixture.hpp"

using namespace imgtest;
using netrun::image::ImageCode;
using netrun::image::Store;

namespace {

bool exists(const std::string& p) {
    struct stat st {};
    return ::lstat(p.c_str(), &st) == 0;
}

// The store has no layer, no image, no staging leftovers.
void expect_store_empty(const std::string& root) {
    EXPECT_EQ(snapshot(root + "/layers").size(), 0u);
    EXPECT_EQ(snapshot(root + "/images").size(), 0u);
    EXPECT_EQ(snapshot(root + "/tmp").size(), 0u);
}

void expect_refused(const netlib::Expected<netrun::image::Image>& r, const std::string& needle) {
    ASSERT_FALSE(r) << "import should have been refused";
    EXPECT_EQ(r.error().code, static_cast<int>(ImageCode::BadArchive)) << r.error().msg;
    EXPECT_NE(r.error().msg.find(needle), std::string::npos) << r.error().msg;
}

}  // namespace

TEST(ImageBadInput, DotDotEntryIsRefusedAndNothingEscapes) {
    TmpDir t;
    Tar(t / "evil.tar").file("ok", "ok").file("../../../../escaped-dotdot", "pwned").close();
    Store store(t / "root");
    expect_refused(store.import(t / "evil.tar", "evil"), "leaves the destination");
    EXPECT_FALSE(exists(t / "escaped-dotdot"));
    EXPECT_FALSE(exists("/escaped-dotdot"));
    expect_store_empty(t / "root");
}

TEST(ImageBadInput, WritingThroughASymlinkIsRefused) {
    TmpDir t;
    put_dir(t / "outside");
    Tar(t / "evil.tar").symlink("link", t / "outside").file("link/planted", "pwned").close();
    Store store(t / "root");
    auto r = store.import(t / "evil.tar", "evil");
    EXPECT_FALSE(exists(t / "outside/planted"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, static_cast<int>(ImageCode::BadArchive)) << r.error().msg;
    EXPECT_NE(r.error().msg.find("symlink"), std::string::npos) << r.error().msg;
    expect_store_empty(t / "root");
}

TEST(ImageBadInput, AbsoluteSymlinksAreKeptAsSymlinks) {
    TmpDir t;
    Tar(t / "ok.tar").symlink("etc/passwd-link", "/etc/passwd").symlink("up", "../../..").close();
    Store store(t / "root");
    auto r = store.import(t / "ok.tar", "links");
    ASSERT_TRUE(r) << r.error().msg;
    Tree tree = snapshot(r->layers[0]);
    EXPECT_EQ(tree["etc/passwd-link"].data, "/etc/passwd");
    EXPECT_EQ(tree["up"].data, "../../..");
}

TEST(ImageBadInput, HardlinkOutsideIsRefused) {
    TmpDir t;
    Tar(t / "evil.tar").hardlink("shadow", "../../../../etc/shadow").close();
    Store store(t / "root");
    expect_refused(store.import(t / "evil.tar", "evil"), "leaves the destination");
    expect_store_empty(t / "root");
}

TEST(ImageBadInput, DeviceNodesAreRefused) {
    TmpDir t;
    Tar(t / "dev.tar").dir("dev").chardev("dev/sda", 8, 0).close();
    Store store(t / "root");
    expect_refused(store.import(t / "dev.tar", "dev"), "device node");
    expect_store_empty(t / "root");
}

TEST(ImageBadInput, CorruptAndUnknownArchives) {
    TmpDir t;
    put_file(t / "random.bin", std::string(4096, '\x5a'));
    put_file(t / "empty", "");
    Tar(t / "good.tar.gz", true).file("big", std::string(300000, 'q')).close();
    std::string gz = read_all(t / "good.tar.gz");
    put_file(t / "truncated.tar.gz", gz.substr(0, gz.size() / 2));
    Store store(t / "root");
    for (const char* name : {"random.bin", "empty", "truncated.tar.gz"}) {
        SCOPED_TRACE(name);
        auto r = store.import(t / name, "bad");
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, static_cast<int>(ImageCode::BadArchive)) << r.error().msg;
        EXPECT_NE(r.error().msg.find(name), std::string::npos)
            << "error should name the file: " << r.error().msg;
    }
    expect_store_empty(t / "root");
    auto missing = store.import(t / "nope.tar", "bad");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().msg.find("No such file"), std::string::npos) << missing.error().msg;
}

TEST(ImageBadInput, DockerSaveWithTamperedOrMissingLayer) {
    TmpDir t;
    Tar(t / "l1.tar").file("a", "a").close();
    make_docker_save(t / "save", {t / "l1.tar"}, sample_config({}), "x:1", false);
    // Swap the blob's bytes: the digest in its name no longer matches.
    std::string blob = t / ("save/blobs/sha256/" + sha256_of_file(t / "l1.tar"));
    Tar(blob).file("a", "tampered").close();
    Store store(t / "root");
    expect_refused(store.import(t / "save", ""), "tampered");
    ::unlink(blob.c_str());
    expect_refused(store.import(t / "save", ""), "missing");
    expect_store_empty(t / "root");
}

TEST(ImageBadInput, LayoutPathsMayNotLeaveTheLayout) {
    TmpDir t;
    put_dir(t / "save");
    put_file(t / "save/manifest.json",
             R"([{"Config":"../../etc/hostname","RepoTags":["x:1"],"Layers":[]}])");
    Store store(t / "root");
    expect_refused(store.import(t / "save", ""), "outside the image layout");
    put_file(t / "save/manifest.json",
             R"([{"Config":"c.json","RepoTags":["x:1"],"Layers":["l"]}])");
    put_file(t / "save/c.json", sample_config({}));
    put_symlink(t / "save/l", "/etc/hostname");
    expect_refused(store.import(t / "save", ""), "outside the image layout");
    put_file(t / "save/manifest.json", "{not json");
    expect_refused(store.import(t / "save", ""), "manifest.json");
}

TEST(ImageBadInput, UnknownImageNameIsNotFound) {
    TmpDir t;
    Store store(t / "root");
    auto r = store.resolve("no/such:image");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, static_cast<int>(ImageCode::NotFound));
    EXPECT_NE(r.error().msg.find("no/such:image"), std::string::npos) << r.error().msg;
    auto rm = store.remove("no/such:image");
    ASSERT_FALSE(rm);
    EXPECT_EQ(rm.error().code, static_cast<int>(ImageCode::NotFound));
    auto bad_name = store.import("/dev/null", "Bad Name!");
    ASSERT_FALSE(bad_name);
    EXPECT_EQ(bad_name.error().code, static_cast<int>(netlib::Code::InvalidConfig));
}

TEST(ImageBadInput, TrustedXattrsFromTheArchiveAreDropped) {
    TmpDir t;
    put_dir(t / "src/d");
    ASSERT_EQ(::setxattr((t / "src/d").c_str(), "trusted.overlay.opaque", "y", 1, 0), 0);
    ASSERT_EQ(std::system(("tar --xattrs --xattrs-include='*' -C " + t.path() + "/src -cf " +
                           t.path() + "/x.tar d")
                              .c_str()),
              0);
    Store store(t / "root");
    auto r = store.import(t / "x.tar", "x");
    ASSERT_TRUE(r) << r.error().msg;
    EXPECT_EQ(snapshot(r->layers[0])["d"].opaque, "");
}

TEST(ImageBadInput, RepeatedEntriesTheLaterOneWins) {
    // tar --append semantics; the earlier file is hardlinked, and must not change with it.
    TmpDir t;
    Tar(t / "dup.tar")
        .file("f", "first")
        .hardlink("g", "f")
        .file("f", "second")
        .symlink("s", "f")
        .file("s", "now a file")
        .close();
    Store store(t / "root");
    auto r = store.import(t / "dup.tar", "dup");
    ASSERT_TRUE(r) << r.error().msg;
    Tree tree = snapshot(r->layers[0]);
    EXPECT_EQ(tree["f"].data, "second");
    EXPECT_EQ(tree["g"].data, "first");
    EXPECT_EQ(tree["s"].type, 'f');
}

TEST(ImageBadInput, WhiteoutThroughASymlinkedDirIsRefused) {
    TmpDir t;
    put_dir(t / "outside");
    put_file(t / "outside/keep", "keep");
    Tar(t / "evil.tar").symlink("d", t / "outside").file("d/.wh.keep", "").close();
    Store store(t / "root");
    auto r = store.import(t / "evil.tar", "evil");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, static_cast<int>(ImageCode::BadArchive)) << r.error().msg;
    EXPECT_EQ(read_all(t / "outside/keep"), "keep");
    EXPECT_EQ(snapshot(t / "outside").size(), 1u);
    expect_store_empty(t / "root");
}

TEST(ImageBadInput, AbsoluteEntryNamesLandInsideTheLayer) {
    TmpDir t;
    Tar(t / "abs.tar").file("/etc/abs-entry", "inside").close();
    Store store(t / "root");
    auto r = store.import(t / "abs.tar", "abs");
    ASSERT_TRUE(r) << r.error().msg;
    EXPECT_EQ(read_all(r->layers[0] + "/etc/abs-entry"), "inside");
    EXPECT_FALSE(exists("/etc/abs-entry"));
}
