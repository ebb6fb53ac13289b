// write_file_atomic leaves only the final file; sweep_temp_files removes leftovers of dead
// writers and never the temp file of a live one; mkdir_p makes what is missing; split_lines
// splits as std::getline does.
#include "netlib/sys/files.hpp"
#include "netlib/sys/lines.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace netlib;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        std::string t = (fs::temp_directory_path() / "netrun-files-XXXXXX").string();
        path = ::mkdtemp(t.data());
    }
    ~TempDir() { fs::remove_all(path); }
    std::vector<std::string> entries() const {
        std::vector<std::string> out;
        for (const auto& e : fs::directory_iterator(path)) out.push_back(e.path().filename());
        std::sort(out.begin(), out.end());
        return out;
    }
};

TEST(WriteFileAtomic, LeavesOnlyTheFileWithItsModeAndReplacesContent) {
    TempDir d;
    const std::string f = (d.path / "record").string();
    ASSERT_TRUE(sys::write_file_atomic(f, "one\n", 0600));
    ASSERT_TRUE(sys::write_file_atomic(f, "two\n", 0600));
    EXPECT_EQ(*sys::read_file(f), "two\n");
    EXPECT_EQ(d.entries(), std::vector<std::string>{"record"});
    EXPECT_EQ(fs::status(f).permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write);
}

TEST(WriteFileAtomic, MissingDirectoryIsAnIoErrorNamingThePath) {
    auto r = sys::write_file_atomic("/nonexistent-netrun-dir/x", "y");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, static_cast<int>(Code::Io));
    EXPECT_NE(r.error().msg.find("/nonexistent-netrun-dir/"), std::string::npos) << r.error().msg;
}

TEST(SweepTempFiles, RemovesDeadWritersLeftoversOnly) {
    TempDir d;
    // pid 0x7ffffffe is above pid_max on every kernel: never a live process.
    std::ofstream(d.path / ".a.tmp.2147483646") << "x";
    std::ofstream(d.path / (".b.tmp." + std::to_string(::getpid()))) << "x";
    std::ofstream(d.path / "c.tmp.1") << "x";  // not hidden: a real file that looks alike
    sys::sweep_temp_files(d.path.string());
    EXPECT_EQ(d.entries(),
              (std::vector<std::string>{".b.tmp." + std::to_string(::getpid()), "c.tmp.1"}));
    EXPECT_TRUE(sys::is_temp_name(".x.tmp.12"));
    EXPECT_FALSE(sys::is_temp_name("x.tmp.12"));
}

TEST(MkdirP, CreatesMissingParentsAndAcceptsWhatExists) {
    TempDir d;
    const std::string deep = (d.path / "a" / "b" / "c").string();
    ASSERT_TRUE(sys::mkdir_p(deep, 0700));
    EXPECT_TRUE(fs::is_directory(deep));
    EXPECT_EQ(fs::status(d.path / "a").permissions() & fs::perms::all, fs::perms::owner_all);
    EXPECT_TRUE(sys::mkdir_p(deep, 0700)) << "exists";
    EXPECT_TRUE(sys::mkdir_p((d.path / "a" / "x").string() + "/", 0700)) << "trailing slash";
    EXPECT_TRUE(fs::is_directory(d.path / "a" / "x"));
    EXPECT_TRUE(sys::mkdir_p((d.path / "a//y//z").string(), 0700)) << "doubled slashes";
    EXPECT_TRUE(fs::is_directory(d.path / "a" / "y" / "z"));
    // A file where a directory should be: an I/O error naming the path.
    std::ofstream((d.path / "file").string()) << "x";
    auto r = sys::mkdir_p((d.path / "file" / "sub").string(), 0700);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, static_cast<int>(Code::Io));
    EXPECT_NE(r.error().msg.find("file/sub"), std::string::npos) << r.error().msg;
}

TEST(FileLock, AcquireCreatingDirMakesTheDirectoryAndPlainAcquireDoesNot) {
    TempDir d;
    const std::string missing = (d.path / "x" / "lock").string();
    EXPECT_FALSE(sys::FileLock::acquire(missing)) << "plain acquire must not create directories";
    EXPECT_FALSE(fs::exists(d.path / "x"));
    const std::string deep = (d.path / "a" / "b" / "lock").string();
    {
        auto lock = sys::FileLock::acquire_creating_dir(deep);
        ASSERT_TRUE(lock) << lock.error().msg;
        EXPECT_TRUE(fs::is_regular_file(deep));
        EXPECT_EQ(fs::status(d.path / "a" / "b").permissions() & fs::perms::all, fs::perms::owner_all);
    }
    EXPECT_TRUE(sys::FileLock::acquire_creating_dir(deep)) << "existing directory and file";
}

TEST(SplitLines, AsGetlineWould) {
    using V = std::vector<std::string_view>;
    EXPECT_EQ(sys::split_lines(""), V{});
    EXPECT_EQ(sys::split_lines("a"), V{"a"});
    EXPECT_EQ(sys::split_lines("a\n"), V{"a"});
    EXPECT_EQ(sys::split_lines("a\nb"), (V{"a", "b"}));
    EXPECT_EQ(sys::split_lines("a\n\nb\n"), (V{"a", "", "b"}));
    EXPECT_EQ(sys::split_lines("\n"), V{""});
    EXPECT_EQ(sys::split_lines("net\nid\nsrc4\t10.0.0.2\n"), (V{"net", "id", "src4\t10.0.0.2"}));
}

}  // namespace
