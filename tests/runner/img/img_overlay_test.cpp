// Per-container overlays: writes land in the container's upper dir only, other containers
// and the shared layers never see them, remove_rootfs removes them; the merged view applies
// whiteouts and opaque dirs. Runs in a private mount namespace (NETNS_MAIN).
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "img_fixture.hpp"

using namespace imgtest;
using netrun::image::ImageCode;
using netrun::image::Store;

namespace {

bool exists(const std::string& p) {
    struct stat st {};
    return ::lstat(p.c_str(), &st) == 0;
}

bool is_mountpoint(const std::string& p) {
    return read_all("/proc/self/mountinfo").find(" " + p + " ") != std::string::npos;
}

struct TwoLayerImage {
    TmpDir tmp;
    Store store{tmp / "root"};
    netrun::image::Image img;
    TwoLayerImage() {
        put_file(tmp / "l1/etc/a", "a\n");
        put_file(tmp / "l1/etc/b", "b\n");
        put_file(tmp / "l1/data/x", "x\n");
        put_file(tmp / "l1/data/sub/y", "y\n");
        put_file(tmp / "l2/etc/.wh.b", "");
        put_file(tmp / "l2/data/.wh..wh..opq", "");
        put_file(tmp / "l2/data/z", "z\n");
        Tar(tmp / "l1.tar").tree(tmp / "l1");
        Tar(tmp / "l2.tar").tree(tmp / "l2");
        make_docker_save(tmp / "save", {tmp / "l1.tar", tmp / "l2.tar"}, sample_config({}), "two:1",
                         false);
        auto r = store.import(tmp / "save", "");
        if (!r) throw std::runtime_error(r.error().msg);
        img = *r;
    }
};

}  // namespace

TEST(ImageOverlay, MergedViewAppliesWhiteoutsAndOpaqueDirs) {
    TwoLayerImage t;
    auto fs = t.store.prepare_rootfs(t.img, "c1", false);
    ASSERT_TRUE(fs) << fs.error().msg;
    EXPECT_TRUE(is_mountpoint(fs->merged));
    EXPECT_EQ(read_all(fs->merged + "/etc/a"), "a\n");
    EXPECT_FALSE(exists(fs->merged + "/etc/b")) << "whiteout did not delete etc/b";
    EXPECT_EQ(read_all(fs->merged + "/data/z"), "z\n");
    EXPECT_FALSE(exists(fs->merged + "/data/x")) << "opaque dir shows lower contents";
    EXPECT_FALSE(exists(fs->merged + "/data/sub"));
    ASSERT_TRUE(t.store.remove_rootfs("c1"));
}

TEST(ImageOverlay, WritesStayInTheContainersUpperDir) {
    TwoLayerImage t;
    std::string before_top = tree_hash(t.img.layers[0]), before_base = tree_hash(t.img.layers[1]);
    auto c1 = t.store.prepare_rootfs(t.img, "c1", false);
    auto c2 = t.store.prepare_rootfs(t.img, "c2", false);
    ASSERT_TRUE(c1 && c2);

    put_file(c1->merged + "/etc/written", "by c1\n");
    put_file(c1->merged + "/etc/a", "changed by c1\n");
    ASSERT_EQ(::unlink((c1->merged + "/data/z").c_str()), 0);

    EXPECT_EQ(read_all(c1->upper + "/etc/written"), "by c1\n");
    EXPECT_EQ(read_all(c1->upper + "/etc/a"), "changed by c1\n");
    EXPECT_TRUE(exists(c1->upper + "/data/z"));  // the deletion is a whiteout in upper
    EXPECT_FALSE(exists(c2->merged + "/etc/written"));
    EXPECT_EQ(read_all(c2->merged + "/etc/a"), "a\n");
    EXPECT_EQ(read_all(c2->merged + "/data/z"), "z\n");
    EXPECT_EQ(snapshot(c2->upper).size(), 0u);

    // A second mount stacked on merged (e.g. left by a crashed start) goes too.
    ASSERT_EQ(::mount("tmpfs", c1->merged.c_str(), "tmpfs", 0, nullptr), 0);
    ASSERT_TRUE(t.store.remove_rootfs("c1"));
    EXPECT_FALSE(exists(c1->dir));
    EXPECT_FALSE(is_mountpoint(c1->merged));
    EXPECT_TRUE(t.store.remove_rootfs("c1")) << "removing twice must succeed";
    ASSERT_TRUE(t.store.remove_rootfs("c2"));
    EXPECT_EQ(tree_hash(t.img.layers[0]), before_top);
    EXPECT_EQ(tree_hash(t.img.layers[1]), before_base);
}

TEST(ImageOverlay, ReadOnlyRootfsHasNoUpper) {
    TwoLayerImage t;
    auto fs = t.store.prepare_rootfs(t.img, "ro", true);
    ASSERT_TRUE(fs) << fs.error().msg;
    EXPECT_TRUE(fs->upper.empty());
    EXPECT_EQ(read_all(fs->merged + "/etc/a"), "a\n");
    errno = 0;
    EXPECT_NE(::mkdir((fs->merged + "/newdir").c_str(), 0755), 0);
    EXPECT_EQ(errno, EROFS);
    ASSERT_TRUE(t.store.remove_rootfs("ro"));

    // One-layer image: a read-only bind of the layer.
    auto one = t.store.import(t.tmp / "l1.tar", "one");
    ASSERT_TRUE(one);
    auto fs1 = t.store.prepare_rootfs(*one, "ro1", true);
    ASSERT_TRUE(fs1) << fs1.error().msg;
    EXPECT_EQ(read_all(fs1->merged + "/etc/b"), "b\n");
    EXPECT_NE(::mkdir((fs1->merged + "/newdir").c_str(), 0755), 0);
    ASSERT_TRUE(t.store.remove_rootfs("ro1"));
}

TEST(ImageOverlay, SecondPrepareOfOneContainerIsAConflict) {
    TwoLayerImage t;
    ASSERT_TRUE(t.store.prepare_rootfs(t.img, "dup", false));
    auto again = t.store.prepare_rootfs(t.img, "dup", false);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, static_cast<int>(netlib::Code::Conflict));
    auto bad = t.store.prepare_rootfs(t.img, "../escape", false);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, static_cast<int>(netlib::Code::InvalidConfig));
    ASSERT_TRUE(t.store.remove_rootfs("dup"));
}

TEST(ImageOverlay, RmiRefusesWhileAContainerUsesTheImageThenCollectsLayers) {
    TwoLayerImage t;
    auto base_only = t.store.import(t.tmp / "l1.tar", "base");  // same blob as two:1's bottom layer
    ASSERT_TRUE(base_only);
    ASSERT_EQ(base_only->layers[0], t.img.layers[1]);
    ASSERT_TRUE(t.store.prepare_rootfs(t.img, "user", false));
    auto refused = t.store.remove("two:1");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, static_cast<int>(ImageCode::InUse)) << refused.error().msg;

    // The lifecycle's hook counts too.
    ASSERT_TRUE(t.store.remove_rootfs("user"));
    t.store.set_in_use_hook([&](const std::string& id) { return id == t.img.id; });
    EXPECT_FALSE(t.store.remove("two:1"));
    t.store.set_in_use_hook({});

    ASSERT_TRUE(t.store.remove("two:1"));
    EXPECT_FALSE(exists(t.img.layers[0])) << "unreferenced layer not collected";
    EXPECT_EQ(tree_hash(base_only->layers[0]), tree_hash(t.tmp / "l1")) << "shared layer damaged";
    ASSERT_TRUE(t.store.remove("base"));
    EXPECT_FALSE(exists(base_only->layers[0]));
    EXPECT_EQ(snapshot(t.tmp / "root/layers").size(), 0u);
    auto gone = t.store.resolve("two:1");
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().code, static_cast<int>(ImageCode::NotFound));
    auto list = t.store.list();
    ASSERT_TRUE(list);
    EXPECT_EQ(list->size(), 0u);
}

TEST(ImageOverlay, RmiOfOneOfTwoNamesKeepsTheImage) {
    TwoLayerImage t;
    ASSERT_TRUE(t.store.import(t.tmp / "save", "alias"));
    ASSERT_TRUE(t.store.remove("alias"));
    auto still = t.store.resolve("two:1");
    ASSERT_TRUE(still);
    EXPECT_TRUE(exists(still->layers[0]));
}
