#pragma once
// The default image (kDefaultImage) built into the netrun binary: a rootfs tar made at build
// time from Debian's busybox-static (tools/mkbusybox_rootfs.cpp), so `netrun -- sh` works on
// a machine that has never imported anything.
#include <span>
#include <string_view>

#include "image/image_store.hpp"

namespace netrun::image {

std::span<const unsigned char> embedded_default_image_tar();
// sha256 (hex) of that tar, computed at build time: the layer digest of the built-in image.
std::string_view embedded_default_image_sha256();
ImageConfig embedded_default_image_config();

}  // namespace netrun::image
