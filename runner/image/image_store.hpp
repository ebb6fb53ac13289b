#pragma once
// Image store: imported images as content-addressed, unpacked layers under one root
// (default /var/lib/netrun, $NETRUN_ROOT overrides), and per-container overlay rootfs dirs.
//
// Layout under root:
//   layers/<sha256 hex>/          one unpacked layer (overlayfs whiteouts already applied)
//   images/<image id>.json        name, layer digests (top first), config, size, created
//   names.json                    name -> image id
//   containers/<id>/{upper,work,merged}
//   lock                          flock held by every mutation of the store
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "netlib/error.hpp"

namespace netrun::image {

// Image-store specific error codes (runner errors, all mapped to exit 125 by the CLI).
enum class ImageCode : int {
    NotFound = 120,    // no image with that name or id
    BadArchive = 121,  // unknown or corrupt archive, or an entry we refuse (traversal, device)
    InUse = 122,       // rmi of an image a container still uses
};

struct ImageConfig {
    std::vector<std::string> env, entrypoint, cmd;
    std::string workdir, user;
    bool operator==(const ImageConfig&) const = default;
};

struct Image {
    std::string name, id;
    std::vector<std::string> layers;  // lower dirs, top first
    ImageConfig config;
    std::int64_t size_bytes = 0;
    std::string created;
};

struct Rootfs {
    std::string dir, merged, upper, work;  // dir = per-container dir
};

inline constexpr std::string_view kDefaultImage = "netrun/busybox";

// $NETRUN_ROOT or /var/lib/netrun.
std::string default_root();

class Store {
  public:
    explicit Store(std::string root = default_root());

    // Whether a container still uses image `id`; remove() refuses (ImageCode::InUse) when it
    // returns true. Set by the lifecycle, which owns the container state.
    using InUse = std::function<bool(const std::string& image_id)>;
    void set_in_use_hook(InUse hook) { in_use_ = std::move(hook); }

    const std::string& root() const { return root_; }

    netlib::Expected<Image> import(const std::string& archive_path, const std::string& name);
    // Name or id (or a unique id prefix); kDefaultImage is imported from the binary on first
    // use (and again when the stored one came from a different netrun build).
    netlib::Expected<Image> resolve(const std::string& name_or_id);
    netlib::Expected<std::vector<Image>> list();
    netlib::Expected<void> remove(const std::string& name_or_id);

    // Creates <root>/containers/<id>/{upper,work,merged} and mounts overlay(lower=layers,
    // upper, work) on merged (read_only: lower-only overlay, no upper/work).
    netlib::Expected<Rootfs> prepare_rootfs(const Image&, const std::string& container_id,
                                            bool read_only);
    // Unmounts and removes the container's dir; nothing there is success.
    netlib::Expected<void> remove_rootfs(const std::string& container_id);

  private:
    // Creates the store's directories and makes root_ canonical (overlay wants absolute paths).
    netlib::Expected<void> ensure_layout();
    // The image a name or id names, if any (no embedded import).
    netlib::Expected<std::optional<Image>> find(const std::string& name_or_id);
    netlib::Expected<Image> import_embedded();
    // img is this binary's built-in image (same layer digest and config).
    bool is_current_builtin(const Image& img) const;
    netlib::Expected<bool> used_by_container(const std::string& image_id);

    std::string root_;
    bool layout_ready_ = false;
    InUse in_use_;
};

}  // namespace netrun::image
