#pragma once
// overlayfs whiteouts inside an extracted layer directory
// (Documentation/filesystems/overlayfs.rst): a deleted path is a char device 0/0; a directory whose
// lower contents are hidden carries the xattr trusted.overlay.opaque=y.
#include <string>
#include <string_view>

#include "netlib/error.hpp"

namespace netrun::image {

// Docker/OCI layer tar markers.
inline constexpr std::string_view kWhiteoutPrefix = ".wh.";
inline constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";

// rel: clean path relative to layer_fd's directory. Missing parent directories are created;
// no symlink is followed on the way.
netlib::Expected<void> make_whiteout(int layer_fd, const std::string& rel);
netlib::Expected<void> make_opaque(int layer_fd, const std::string& rel_dir);

}  // namespace netrun::image
