#pragma once
// Small file helpers with errors as values.
#include <string>
#include <string_view>

#include "netlib/error.hpp"
#include "netlib/sys/fd.hpp"

namespace netlib::sys {

Expected<std::string> read_file(const std::string& path);
// Write via a temp file + rename so readers never see a partial file. The temp file is
// anonymous (O_TMPFILE) while written; a crash can leave at most a hidden
// ".<name>.tmp.<pid>" beside path.
Expected<> write_file_atomic(const std::string& path, std::string_view data, int mode = 0644);
// True for the hidden temp names write_file_atomic() uses.
bool is_temp_name(std::string_view name);
// Removes such leftovers in dir whose writer process is gone.
void sweep_temp_files(const std::string& dir);
Expected<> mkdir_p(const std::string& path, int mode = 0755);

// flock(LOCK_EX) held for the lifetime of the object; the file is created if needed.
// With Children::Hold, children started meanwhile hold it too (share_with_children), so it
// is released only when they are gone as well.
class FileLock {
public:
    enum class Children { Exclude, Hold };
    static Expected<FileLock> acquire(const std::string& path, Children children = Children::Exclude);
    // The same, creating the file's directory (and its parents, mode 0700) if it is missing:
    // one open on the common path, where a mkdir first would cost every call a syscall.
    static Expected<FileLock> acquire_creating_dir(const std::string& path,
                                                   Children children = Children::Exclude);
    FileLock(FileLock&& o) noexcept;
    FileLock& operator=(FileLock&&) = delete;
    ~FileLock();

private:
    FileLock(Fd fd, Children children) : fd_(std::move(fd)), children_(children) {}
    static Expected<FileLock> lock(Fd fd, const std::string& path, Children children);
    Fd fd_;  // closing the fd drops the lock
    Children children_;
};

}  // namespace netlib::sys
