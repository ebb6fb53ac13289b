// The default image is built into the binary and imported by the first resolve().
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "image/embedded_image.hpp"
#include "img_fixture.hpp"

using namespace imgtest;
using netrun::image::kDefaultImage;
using netrun::image::Store;

namespace {

// Runs argv chrooted into root, returning (exit status, stdout).
std::pair<int, std::string> run_chrooted(const std::string& root, std::vector<const char*> argv) {
    int pipefd[2];
    if (::pipe(pipefd) != 0) return {-1, ""};
    pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(pipefd[1], 1);
        if (::chroot(root.c_str()) != 0 || ::chdir("/") != 0) ::_exit(120);
        argv.push_back(nullptr);
        const char* env[] = {"PATH=/bin:/usr/bin:/sbin:/usr/sbin", nullptr};
        ::execve(argv[0], const_cast<char* const*>(argv.data()), const_cast<char* const*>(env));
        ::_exit(127);
    }
    ::close(pipefd[1]);
    std::string out;
    char buf[256];
    for (ssize_t n; (n = ::read(pipefd[0], buf, sizeof buf)) > 0;)
        out.append(buf, static_cast<std::size_t>(n));
    ::close(pipefd[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), out};
}

}  // namespace

TEST(ImageEmbedded, FirstResolveImportsTheBuiltInBusybox) {
    TmpDir t;
    Store store(t / "root");
    auto start = std::chrono::steady_clock::now();
    auto img = store.resolve(std::string(kDefaultImage));
    auto first = std::chrono::steady_clock::now() - start;
    ASSERT_TRUE(img) << img.error().msg;
    start = std::chrono::steady_clock::now();
    auto again = store.resolve("netrun/busybox:latest");
    auto second = std::chrono::steady_clock::now() - start;
    ASSERT_TRUE(again) << again.error().msg;
    EXPECT_EQ(again->id, img->id);
    std::printf(
        "embedded image: %zu bytes of tar; first resolve (import) %.1f ms, second resolve %.3f "
        "ms\n",
        netrun::image::embedded_default_image_tar().size(),
        std::chrono::duration<double, std::milli>(first).count(),
        std::chrono::duration<double, std::milli>(second).count());

    EXPECT_EQ(img->name, kDefaultImage);
    ASSERT_EQ(img->layers.size(), 1u);
    EXPECT_EQ(img->config.cmd, std::vector<std::string>{"sh"});
    Tree tree = snapshot(img->layers[0]);
    EXPECT_EQ(tree["bin/sh"].type, 'l');
    EXPECT_EQ(tree["bin/sh"].data, "/bin/busybox");
    EXPECT_EQ(tree["bin/busybox"].type, 'f');
    EXPECT_EQ(tree["bin/busybox"].mode, 0755u);
    EXPECT_EQ(tree["bin/busybox"].data, read_all("/bin/busybox"));
    EXPECT_EQ(tree["www/index.html"].data, "hello from netrun\n");
    EXPECT_EQ(tree["tmp"].mode, 01777u);
    EXPECT_NE(tree["etc/passwd"].data.find("root:x:0:0:"), std::string::npos);
    EXPECT_TRUE(tree.contains("etc/group"));
    EXPECT_TRUE(tree.contains("etc/hosts"));
    EXPECT_TRUE(tree.contains("usr/bin/wget"));
    EXPECT_TRUE(tree.contains("sbin/ifconfig"));

    auto list = store.list();
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), 1u);
    EXPECT_EQ(list->front().name, kDefaultImage);
}

TEST(ImageEmbedded, ShellRunsInAContainerRootfs) {
    TmpDir t;
    Store store(t / "root");
    auto img = store.resolve(std::string(kDefaultImage));
    ASSERT_TRUE(img) << img.error().msg;
    auto fs = store.prepare_rootfs(*img, "hi", false);
    ASSERT_TRUE(fs) << fs.error().msg;
    auto [status, out] =
        run_chrooted(fs->merged, {"/bin/sh", "-c", "echo hi; cat /www/index.html"});
    EXPECT_EQ(status, 0);
    EXPECT_EQ(out, "hi\nhello from netrun\n");
    ASSERT_TRUE(store.remove_rootfs("hi"));
}

// What `netrun run --rm` adds for its rootfs: resolve + prepare_rootfs + remove_rootfs.
TEST(ImageEmbedded, RootfsSetupCostPerContainer) {
    TmpDir t;
    Store store(t / "root");
    ASSERT_TRUE(store.resolve(std::string(kDefaultImage)));
    constexpr int kRounds = 50;
    std::vector<double> ms;
    for (int i = 0; i < kRounds; ++i) {
        auto start = std::chrono::steady_clock::now();
        auto img = store.resolve(std::string(kDefaultImage));
        ASSERT_TRUE(img);
        auto fs = store.prepare_rootfs(*img, "c" + std::to_string(i), false);
        ASSERT_TRUE(fs) << fs.error().msg;
        ASSERT_TRUE(store.remove_rootfs("c" + std::to_string(i)));
        ms.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count());
    }
    std::sort(ms.begin(), ms.end());
    std::printf(
        "resolve+prepare_rootfs+remove_rootfs: median %.2f ms, p90 %.2f ms (%d rounds, under %s)\n",
        ms[kRounds / 2], ms[kRounds * 9 / 10], kRounds, t.path().c_str());
}

TEST(ImageEmbedded, StaleBuiltinFromAnotherBuildIsReplaced) {
    TmpDir t;
    Store store(t / "root");
    // The reserved name cannot be imported over...
    Tar(t / "old.tar").file("bin/old", "old busybox").close();
    auto refused = store.import(t / "old.tar", std::string(kDefaultImage));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, static_cast<int>(netlib::Code::InvalidConfig));
    // ...but a store written by an older netrun may hold another image under it.
    auto old = store.import(t / "old.tar", "scratch");
    ASSERT_TRUE(old);
    put_file(t / "root/names.json", "{\"netrun/busybox\": \"" + old->id + "\"}");
    auto img = store.resolve(std::string(kDefaultImage));
    ASSERT_TRUE(img) << img.error().msg;
    EXPECT_NE(img->id, old->id);
    EXPECT_EQ(img->layers[0].find(std::string(netrun::image::embedded_default_image_sha256())) !=
                  std::string::npos,
              true);
    EXPECT_EQ(read_all(img->layers[0] + "/www/index.html"), "hello from netrun\n");
    auto list = store.list();
    ASSERT_TRUE(list);
    EXPECT_EQ(list->size(), 1u) << "the replaced image should be gone";
    // The digest baked in at build time is the tar's.
    auto tar = netrun::image::embedded_default_image_tar();
    EXPECT_EQ(sha256_of(std::string(reinterpret_cast<const char*>(tar.data()), tar.size())),
              netrun::image::embedded_default_image_sha256());
}
