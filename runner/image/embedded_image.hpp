#pragma once
// The default image (kDefaultImage) built into the netrun binary: a rootfs tar made at build
// time from Debian's busybox-static (tools/mkbusybox_rootfs.cpp), so `netrun -- sh` works on
// a machine that has never imported anything.
#include <span>

#include "image/image_store.hpp"

namespace netrun::image {

std::span<const unsigned char> embedded_default_image_tar();
ImageConfig embedded_default_image_config();

}  // namespace netrun::image
