// Child processes: input given at start or later (the child runs meanwhile), a child
// dropped unwaited is killed having read nothing, and a lock taken with Children::Hold is
// held by children started meanwhile, past the parent's release.
#include "netlib/sys/spawn.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "netlib/sys/files.hpp"

namespace fs = std::filesystem;
using namespace netlib;

namespace {

const std::vector<std::string> kEnv = {"PATH=/usr/bin:/bin"};

bool lock_is_free(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return false;
    const bool free = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
    ::close(fd);
    return free;
}

}  // namespace

TEST(Spawn, InputAtStartOrLater) {
    auto r = sys::spawn_capture({"/bin/cat"}, kEnv, "now");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->out, "now");
    // The child is running before its input exists: it reports its start on stderr.
    auto c = sys::Child::start_awaiting_input({"/bin/sh", "-c", "echo up >&2; cat"}, kEnv);
    ASSERT_TRUE(c);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    auto later = c->wait("later");
    ASSERT_TRUE(later);
    EXPECT_EQ(later->out, "later");
    EXPECT_EQ(later->err, "up\n");
    EXPECT_EQ(later->exit_status, 0);
}

TEST(Spawn, DroppedAwaitingChildIsKilledHavingReadNothing) {
    const fs::path marker =
        fs::temp_directory_path() / ("spawn-marker-" + std::to_string(::getpid()));
    fs::remove(marker);
    {
        auto c = sys::Child::start_awaiting_input(
            {"/bin/sh", "-c", "read line; touch " + marker.string()}, kEnv);
        ASSERT_TRUE(c);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_FALSE(fs::exists(marker));
}

TEST(Spawn, HeldLockOutlivesTheParentsReleaseWhileAChildRuns) {
    const std::string path =
        (fs::temp_directory_path() / ("spawn-lock-" + std::to_string(::getpid()))).string();
    std::optional<sys::Child> child;
    {
        auto lock = sys::FileLock::acquire(path, sys::FileLock::Children::Hold);
        ASSERT_TRUE(lock);
        auto c = sys::Child::start_awaiting_input({"/bin/cat"}, kEnv);
        ASSERT_TRUE(c);
        child.emplace(std::move(*c));
    }
    EXPECT_FALSE(lock_is_free(path)) << "the child holds it";
    ASSERT_TRUE(child->wait(""));
    EXPECT_TRUE(lock_is_free(path));
    // Without Hold, a child started under the lock does not keep it.
    {
        auto lock = sys::FileLock::acquire(path);
        ASSERT_TRUE(lock);
        auto c = sys::Child::start_awaiting_input({"/bin/cat"}, kEnv);
        ASSERT_TRUE(c);
        child.reset();
        child.emplace(std::move(*c));
    }
    EXPECT_TRUE(lock_is_free(path));
    ASSERT_TRUE(child->wait(""));
    fs::remove(path);
}
