#pragma once
// Directory-tree helpers that never follow symlinks and never cross into another mount,
// so a layer or container dir holding hostile names cannot redirect them elsewhere.
#include <string>

#include "netlib/error.hpp"
#include "netlib/sys/fd.hpp"

namespace netrun::image {

// Removes path and everything below it. A missing path is success. Refuses (error) to
// descend into a different filesystem, e.g. a still-mounted overlay.
netlib::Expected<void> remove_tree(const std::string& path);

// Opens the directory `rel` (clean relative path, "" = dir itself) below dir_fd one component
// at a time with O_NOFOLLOW; with create, missing components are made (0755).
netlib::Expected<netlib::sys::Fd> open_dir_beneath(int dir_fd, const std::string& rel, bool create);

// A directory created by mkdtemp(<parent>/<prefix>XXXXXX), removed with its contents when
// the object goes out of scope unless release()d.
class TempDir {
  public:
    static netlib::Expected<TempDir> create(const std::string& parent, const std::string& prefix);
    TempDir(TempDir&& o) noexcept : path_(std::exchange(o.path_, {})) {}
    TempDir& operator=(TempDir&&) = delete;
    ~TempDir();
    const std::string& path() const { return path_; }

  private:
    explicit TempDir(std::string p) : path_(std::move(p)) {}
    std::string path_;
};

}  // namespace netrun::image
