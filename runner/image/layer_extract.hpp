#pragma once
// Unpacking tar streams onto disk with libarchive's secure extraction: no entry may write
// outside the destination (".." refused, no writing through symlinks, hardlink targets
// checked), and device nodes are refused except as whiteouts.
#include <cstdint>
#include <string>

#include "image/archive_reader.hpp"
#include "netlib/error.hpp"

namespace netrun::image {

struct LayerStats {
    std::int64_t size_bytes = 0;  // sum of regular file sizes
};

// Extracts one image layer into dest (an existing directory, canonical path: no symlink
// components). Docker/OCI whiteouts become overlayfs ones: ".wh.NAME" -> char device 0/0
// named NAME, ".wh..wh..opq" -> xattr trusted.overlay.opaque=y on its directory. Owners,
// modes, times and xattrs are kept, except trusted.* xattrs, which would steer overlayfs.
netlib::Expected<LayerStats> extract_layer(ArchiveReader& in, const std::string& dest);

// Unpacks an image layout archive (docker save, OCI layout) into dest: directories, regular
// files and symlinks only, owned by us.
netlib::Expected<void> unpack_layout(ArchiveReader& in, const std::string& dest);

}  // namespace netrun::image
