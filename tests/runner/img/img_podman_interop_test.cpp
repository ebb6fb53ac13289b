// Archives written by a real tool: podman 4.3 (Debian) builds a two-layer image and saves
// it as docker-archive, oci-archive and oci-dir; each import must give the same trees and
// config. SKIPs when podman is not installed. Podman's state lives in a temp dir.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "image/embedded_image.hpp"
#include "img_fixture.hpp"
#include "netrun_test/process.hpp"

using namespace imgtest;
using netrun::image::Store;

namespace {

class PodmanArchives : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        if (::access("/usr/bin/podman", X_OK) != 0) return;
        tmp_ = new TmpDir;
        const TmpDir& t = *tmp_;
        put_file(t / "src/etc/a", "a\n");
        put_file(t / "src/etc/b", "b\n", 0600);
        put_file(t / "src/data/x", "x\n");
        put_symlink(t / "src/lnk", "/etc/a");
        ASSERT_EQ(
            std::system(("tar -C " + t.path() + "/src -cf " + t.path() + "/rootfs.tar .").c_str()),
            0);
        put_file(t / "ctx/z", "z\n");
        put_file(t / "ctx/Containerfile",
                 "FROM localhost/base:1\nCOPY z /data/z\nENV FOO=bar\nWORKDIR /data\nCMD "
                 "[\"/bin/sh\"]\n");
        podman({"import", t / "rootfs.tar", "localhost/base:1"});
        podman({"build", "--network", "none", "-t", "localhost/two:1", t / "ctx"});
        podman({"save", "--format", "docker-archive", "-o", t / "docker.tar", "localhost/two:1"});
        podman({"save", "--format", "oci-archive", "-o", t / "oci.tar", "localhost/two:1"});
        podman({"save", "--format", "oci-dir", "-o", t / "ocidir", "localhost/two:1"});

        // Deletions made by RUN steps (buildah writes .wh. files), on top of our busybox image.
        auto tar = netrun::image::embedded_default_image_tar();
        std::ofstream(t / "busybox.tar", std::ios::binary)
            .write(reinterpret_cast<const char*>(tar.data()),
                   static_cast<std::streamsize>(tar.size()));
        put_file(t / "ctx2/Containerfile",
                 "FROM localhost/bb:1\n"
                 "RUN rm /etc/group && mkdir /d && touch /d/a /d/b\n"
                 "RUN rm -rf /d && mkdir /d && touch /d/c\n");
        podman({"import", t / "busybox.tar", "localhost/bb:1"});
        // chroot isolation: crun refuses this host's hybrid cgroup layout.
        podman({"build", "--isolation", "chroot", "-t", "localhost/wh:1", t / "ctx2"});
        podman({"save", "--format", "docker-archive", "-o", t / "wh-docker.tar", "localhost/wh:1"});
        podman({"save", "--format", "oci-archive", "-o", t / "wh-oci.tar", "localhost/wh:1"});
    }
    static void TearDownTestSuite() {
        delete tmp_;
        tmp_ = nullptr;
    }
    void SetUp() override {
        if (!tmp_) GTEST_SKIP() << "podman not installed (Debian package podman)";
    }

    static void podman(std::vector<std::string> args) {
        std::vector<std::string> argv{
            "podman",      "--root",           *tmp_ / "store", "--runroot",
            *tmp_ / "run", "--storage-driver", "vfs",           "--cgroup-manager",
            "cgroupfs",    "--events-backend", "none"};
        argv.insert(argv.end(), args.begin(), args.end());
        auto r = netrun_test::run_process(
            argv, {.inherit_env = true, .timeout = std::chrono::seconds(60)});
        ASSERT_TRUE(r.ok()) << args[0] << ": " << r.err;
    }

    void expect_two(const std::string& archive) {
        // A fresh store per format, so no layer is reused from another import.
        Store store(*tmp_ / (std::string("root-") +
                             ::testing::UnitTest::GetInstance()->current_test_info()->name()));
        auto img = store.import(archive, "");
        ASSERT_TRUE(img) << img.error().msg;
        EXPECT_EQ(img->name, "localhost/two:1");
        ASSERT_EQ(img->layers.size(), 2u);
        EXPECT_EQ(diff_trees(snapshot(*tmp_ / "src"), snapshot(img->layers[1])), "");
        Tree top = snapshot(img->layers[0]);
        EXPECT_EQ(top["data/z"].data, "z\n");
        EXPECT_EQ(img->config.cmd, std::vector<std::string>{"/bin/sh"});
        EXPECT_EQ(img->config.workdir, "/data");
        EXPECT_NE(std::find(img->config.env.begin(), img->config.env.end(), "FOO=bar"),
                  img->config.env.end());
        auto fs = store.prepare_rootfs(*img, "c", false);
        ASSERT_TRUE(fs) << fs.error().msg;
        EXPECT_EQ(read_all(fs->merged + "/data/x"), "x\n");
        EXPECT_EQ(read_all(fs->merged + "/data/z"), "z\n");
        EXPECT_TRUE(store.remove_rootfs("c"));
    }

    void expect_deletions(const std::string& archive) {
        Store store(*tmp_ / (std::string("root-") +
                             ::testing::UnitTest::GetInstance()->current_test_info()->name()));
        auto img = store.import(archive, "");
        ASSERT_TRUE(img) << img.error().msg;
        ASSERT_EQ(img->layers.size(), 3u);
        struct stat st {};
        ASSERT_EQ(::lstat((img->layers[1] + "/etc/group").c_str(), &st), 0);
        EXPECT_TRUE(S_ISCHR(st.st_mode) && st.st_rdev == 0)
            << "etc/group is not an overlay whiteout";
        auto fs = store.prepare_rootfs(*img, "c", false);
        ASSERT_TRUE(fs) << fs.error().msg;
        EXPECT_NE(::access((fs->merged + "/etc/passwd").c_str(), F_OK), -1);
        EXPECT_EQ(::access((fs->merged + "/etc/group").c_str(), F_OK), -1)
            << "deleted file visible";
        Tree d = snapshot(fs->merged + "/d");
        EXPECT_EQ(d.size(), 1u);
        EXPECT_TRUE(d.contains("c"));
        EXPECT_TRUE(store.remove_rootfs("c"));
    }

    static inline TmpDir* tmp_ = nullptr;
};

}  // namespace

TEST_F(PodmanArchives, DockerArchive) {
    expect_two(*tmp_ / "docker.tar");
}
TEST_F(PodmanArchives, OciArchive) {
    expect_two(*tmp_ / "oci.tar");
}
TEST_F(PodmanArchives, OciDir) {
    expect_two(*tmp_ / "ocidir");
}
TEST_F(PodmanArchives, RunStepDeletionsDockerArchive) {
    expect_deletions(*tmp_ / "wh-docker.tar");
}
TEST_F(PodmanArchives, RunStepDeletionsOciArchive) {
    expect_deletions(*tmp_ / "wh-oci.tar");
}
