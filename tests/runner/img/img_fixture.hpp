#pragma once
// Helpers for the image store tests: temp dirs, source trees, tar/docker-save/OCI archives
// built with libarchive, and file-by-file tree snapshots to compare imports against.
#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "image/image_store.hpp"

namespace imgtest {

// mkdtemp under $TMPDIR (default /tmp), removed (recursively) at destruction.
class TmpDir {
  public:
    TmpDir();
    ~TmpDir();
    TmpDir(const TmpDir&) = delete;
    TmpDir& operator=(const TmpDir&) = delete;
    const std::string& path() const { return path_; }
    std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

  private:
    std::string path_;
};

// Source tree building (parents created as needed).
void put_file(const std::string& path, const std::string& data, mode_t mode = 0644);
void put_dir(const std::string& path, mode_t mode = 0755);
void put_symlink(const std::string& path, const std::string& target);
std::string read_all(const std::string& path);

// One node of a tree as the tests compare it.
struct Node {
    char type = '?';    // f d l c p
    unsigned mode = 0;  // permission bits incl. setuid/sticky (not for symlinks)
    uid_t uid = 0;
    gid_t gid = 0;
    std::string data;    // file contents, symlink target, "maj:min" for devices
    std::string opaque;  // trusted.overlay.opaque value on directories
    bool operator==(const Node&) const = default;
};
using Tree = std::map<std::string, Node>;  // relative path ("" = root dir excluded)

Tree snapshot(const std::string& dir);
// Expected layer tree for a docker-style source: ".wh.X" -> char 0:0 "X", ".wh..wh..opq"
// removed and its directory marked opaque.
Tree overlay_form(Tree docker_tree);
// gtest-friendly difference listing ("" when equal).
std::string diff_trees(const Tree& want, const Tree& got);
// sha256 over the snapshot: a tree fingerprint.
std::string tree_hash(const std::string& dir);

// Tar writing with libarchive.
class Tar {
  public:
    enum class Filter { None, Gzip, Zstd, Xz };
    Tar(const std::string& path, bool gzip = false);
    Tar(const std::string& path, Filter filter);
    ~Tar();
    Tar& tree(const std::string& src_dir);  // every node under src_dir, sorted, relative names
    Tar& file(const std::string& name, const std::string& data, mode_t mode = 0644);
    Tar& dir(const std::string& name, mode_t mode = 0755);
    Tar& symlink(const std::string& name, const std::string& target);
    Tar& hardlink(const std::string& name, const std::string& target);
    Tar& chardev(const std::string& name, unsigned major, unsigned minor);
    void close();

  private:
    void* a_;
};

// docker save shaped archive of layer tars (bottom first) + config, written into out_dir.
// legacy: "<n>/layer.tar" paths and "<hex>.json" config; else blobs/sha256/<hex>.
void make_docker_save(const std::string& out_dir, const std::vector<std::string>& layer_tars,
                      const std::string& config_json, const std::string& repo_tag, bool legacy);
// OCI image layout of layer tars (compressed or not, as given) + config, written into out_dir.
void make_oci_layout(const std::string& out_dir, const std::vector<std::string>& layer_tars,
                     const std::string& config_json, const std::string& ref_name,
                     bool gzip_media_type);
// A tar of a directory's contents (an archived layout).
void tar_dir(const std::string& dir, const std::string& tar_path);

std::string sha256_of_file(const std::string& path);
std::string sha256_of(const std::string& data);

// Config JSON with the fields netrun reads.
std::string sample_config(const std::vector<std::string>& diff_ids);

}  // namespace imgtest
