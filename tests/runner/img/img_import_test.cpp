// Import of every supported format yields, file by file, the source tree (whiteouts in
// overlayfs form), layers are shared by digest, and concurrent imports do not collide.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <thread>

#include "img_fixture.hpp"

using namespace imgtest;
using netrun::image::Image;
using netrun::image::Store;

namespace {

// Layer 1: a small root filesystem with the node kinds images carry.
void make_base(const std::string& d) {
    put_dir(d + "/etc");
    put_file(d + "/etc/os-release", "NAME=test\n");
    put_file(d + "/etc/shadow", "root:*:19000::::::\n", 0600);
    put_file(d + "/etc/b", "to be deleted\n");
    put_file(d + "/bin/tool", "#!/bin/sh\necho tool\n", 0755);
    put_file(d + "/bin/suid", "x", 04755);
    put_symlink(d + "/bin/sh", "/bin/tool");
    put_symlink(d + "/lib", "usr/lib");
    put_file(d + "/usr/lib/libx.so", std::string(100000, 'x'));
    put_file(d + "/data/x", "x\n");
    put_file(d + "/data/y", "y\n");
    put_file(d + "/empty", "");
    put_dir(d + "/tmp", 01777);
    ::chown((d + "/etc/shadow").c_str(), 0, 42);
    ::chown((d + "/data/y").c_str(), 1000, 1000);
}

// Layer 2: deletes etc/b, replaces data/ wholesale, adds a file.
void make_top(const std::string& d) {
    put_file(d + "/etc/.wh.b", "");
    put_file(d + "/data/.wh..wh..opq", "");
    put_file(d + "/data/z", "z\n");
    put_file(d + "/new", "new\n", 0640);
}

struct TwoLayers {
    TmpDir tmp;
    std::string base = tmp / "src1", top = tmp / "src2";
    std::string tar1 = tmp / "l1.tar", tar2 = tmp / "l2.tar";
    std::string gz1 = tmp / "l1.tar.gz", gz2 = tmp / "l2.tar.gz";
    std::string config;
    TwoLayers() {
        make_base(base);
        make_top(top);
        Tar(tar1).tree(base);
        Tar(tar2).tree(top);
        Tar(gz1, true).tree(base);
        Tar(gz2, true).tree(top);
        config =
            sample_config({"sha256:" + sha256_of_file(tar1), "sha256:" + sha256_of_file(tar2)});
    }
};

void expect_sample_config(const Image& img) {
    EXPECT_EQ(img.config.env, (std::vector<std::string>{"PATH=/usr/bin:/bin", "GREETING=hi"}));
    EXPECT_EQ(img.config.entrypoint, std::vector<std::string>{"/bin/entry"});
    EXPECT_EQ(img.config.cmd, (std::vector<std::string>{"serve", "--port", "80"}));
    EXPECT_EQ(img.config.workdir, "/srv");
    EXPECT_EQ(img.config.user, "1000:1000");
    EXPECT_EQ(img.created, "2024-05-01T12:00:00Z");
}

// Layers top first: [0] = top (whiteouts), [1] = base.
void expect_two_layers(const Image& img, const TwoLayers& src) {
    ASSERT_EQ(img.layers.size(), 2u);
    EXPECT_EQ(diff_trees(snapshot(src.base), snapshot(img.layers[1])), "");
    Tree top = snapshot(img.layers[0]);
    EXPECT_EQ(diff_trees(overlay_form(snapshot(src.top)), top), "");
    // Spelled out, in case overlay_form and the importer share a misunderstanding.
    ASSERT_TRUE(top.contains("etc/b"));
    EXPECT_EQ(top["etc/b"].type, 'c');
    EXPECT_EQ(top["etc/b"].data, "0:0");
    EXPECT_EQ(top["data"].opaque, "y");
    EXPECT_FALSE(top.contains("data/.wh..wh..opq"));
    EXPECT_FALSE(top.contains("etc/.wh.b"));
}

}  // namespace

TEST(ImageImport, PlainRootfsTarMatchesSourceTree) {
    TwoLayers src;
    Store store(src.tmp / "root");
    auto img = store.import(src.tar1, "example/rootfs");
    ASSERT_TRUE(img) << img.error().msg;
    ASSERT_EQ(img->layers.size(), 1u);
    EXPECT_EQ(diff_trees(snapshot(src.base), snapshot(img->layers[0])), "");
    EXPECT_EQ(img->name, "example/rootfs");
    EXPECT_GT(img->size_bytes, 100000);
    EXPECT_EQ(img->id.size(), 64u);
    // The layer is stored under the sha256 of the tar.
    EXPECT_NE(img->layers[0].find(sha256_of_file(src.tar1)), std::string::npos);
}

TEST(ImageImport, GzipTarMadeByTarCommand) {
    TwoLayers src;
    std::string tgz = src.tmp / "rootfs.tgz";
    ASSERT_EQ(std::system(("tar -C " + src.base + " -czf " + tgz + " .").c_str()), 0);
    Store store(src.tmp / "root");
    auto img = store.import(tgz, "example/tgz:v1");
    ASSERT_TRUE(img) << img.error().msg;
    // `tar` adds "./" itself; the layer root takes the archive's root entry.
    Tree want = snapshot(src.base);
    EXPECT_EQ(diff_trees(want, snapshot(img->layers[0])), "");
}

TEST(ImageImport, DockerSaveTwoLayersWithWhiteouts) {
    for (bool legacy : {false, true}) {
        SCOPED_TRACE(legacy ? "legacy <id>/layer.tar layout" : "blobs/sha256 layout");
        TwoLayers src;
        std::string dir = src.tmp / "save", tar = src.tmp / "save.tar";
        make_docker_save(dir, {src.tar1, src.tar2}, src.config, "example/app:1.0", legacy);
        tar_dir(dir, tar);
        Store store(src.tmp / "root");
        auto img = store.import(tar, "");
        ASSERT_TRUE(img) << img.error().msg;
        EXPECT_EQ(img->name, "example/app:1.0");  // from RepoTags
        EXPECT_EQ(img->id, sha256_of(src.config));
        expect_two_layers(*img, src);
        expect_sample_config(*img);
        auto again = store.resolve("example/app:1.0");
        ASSERT_TRUE(again) << again.error().msg;
        EXPECT_EQ(again->layers, img->layers);
    }
}

TEST(ImageImport, OciLayoutDirAndTarWithGzipLayers) {
    TwoLayers src;
    std::string dir = src.tmp / "oci", tar = src.tmp / "oci.tar";
    make_oci_layout(dir, {src.gz1, src.gz2}, src.config, "latest", true);
    tar_dir(dir, tar);
    Store store(src.tmp / "root");
    auto from_dir = store.import(dir, "example/oci-dir");
    ASSERT_TRUE(from_dir) << from_dir.error().msg;
    expect_two_layers(*from_dir, src);
    expect_sample_config(*from_dir);
    auto from_tar = store.import(tar, "example/oci-tar");
    ASSERT_TRUE(from_tar) << from_tar.error().msg;
    // Same blobs: the second import reuses the layers and has the same id.
    EXPECT_EQ(from_tar->layers, from_dir->layers);
    EXPECT_EQ(from_tar->id, from_dir->id);
    auto list = store.list();
    ASSERT_TRUE(list);
    EXPECT_EQ(list->size(), 2u);  // two names, one image
}

TEST(ImageImport, LayersAreStoredOnceAcrossImages) {
    TwoLayers src;
    std::string save = src.tmp / "save", oci = src.tmp / "oci";
    make_docker_save(save, {src.tar1, src.tar2}, src.config, "a:1", false);
    make_oci_layout(oci, {src.tar1}, sample_config({}), "b:1", false);
    Store store(src.tmp / "root");
    auto a = store.import(save, "");
    auto b = store.import(oci, "");
    auto c = store.import(src.tar1, "c");
    ASSERT_TRUE(a && b && c);
    EXPECT_EQ(b->layers[0], a->layers[1]);
    EXPECT_EQ(c->layers[0], a->layers[1]);
    EXPECT_EQ(b->name, "b:1");  // OCI ref name with a repository part is taken as the name
    struct stat st {};
    ASSERT_EQ(::stat((src.tmp / "root/layers").c_str(), &st), 0);
    EXPECT_EQ(st.st_nlink, 2u + 2u);  // . and .. plus two layer dirs
}

TEST(ImageImport, ConcurrentImportsOfTheSameLayers) {
    TwoLayers src;
    std::string save = src.tmp / "save.tar";
    make_docker_save(src.tmp / "save", {src.tar1, src.tar2}, src.config, "a:1", false);
    tar_dir(src.tmp / "save", save);
    constexpr int kThreads = 4;
    std::vector<netlib::Expected<Image>> results(kThreads, std::unexpected(netlib::Error{}));
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i)
        threads.emplace_back(
            [&, i] { results[i] = Store(src.tmp / "root").import(save, "c" + std::to_string(i)); });
    for (auto& t : threads) t.join();
    for (auto& r : results) {
        ASSERT_TRUE(r) << r.error().msg;
        expect_two_layers(*r, src);
        EXPECT_EQ(r->layers, results[0]->layers);
    }
    EXPECT_EQ(snapshot(src.tmp / "root/tmp").size(), 0u) << "staging dirs left behind";
}

TEST(ImageImport, TagLatestIsTheBareName) {
    TwoLayers src;
    Store store(src.tmp / "root");
    ASSERT_TRUE(store.import(src.tar1, "example/x:latest"));
    auto img = store.resolve("example/x");
    ASSERT_TRUE(img) << img.error().msg;
    auto by_id = store.resolve(img->id.substr(0, 12));
    ASSERT_TRUE(by_id) << by_id.error().msg;
    EXPECT_EQ(by_id->id, img->id);
    EXPECT_EQ(by_id->name, "example/x");
}

TEST(ImageImport, ZstdAndXzLayersInAnOciLayout) {
    TwoLayers src;
    std::string zst = src.tmp / "l1.tar.zst", xz = src.tmp / "l2.tar.xz";
    Tar(zst, Tar::Filter::Zstd).tree(src.base);
    Tar(xz, Tar::Filter::Xz).tree(src.top);
    make_oci_layout(src.tmp / "oci", {zst, xz}, src.config, "example/z:1", false);
    Store store(src.tmp / "root");
    auto img = store.import(src.tmp / "oci", "");
    ASSERT_TRUE(img) << img.error().msg;
    EXPECT_EQ(img->name, "example/z:1");
    expect_two_layers(*img, src);
}
