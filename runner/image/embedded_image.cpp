#include "image/embedded_image.hpp"

// The tar's bytes, placed in .rodata by the assembler. NETRUN_BUSYBOX_TAR is its absolute
// path at build time; this target is compiled without ccache, which cannot see .incbin
// inputs. Hidden symbols keep the references PC-relative (no text relocations in a PIE).
asm(R"(
    .section .rodata.netrun_busybox_tar,"a",@progbits
    .balign 64
    .globl netrun_busybox_tar_start, netrun_busybox_tar_end
    .hidden netrun_busybox_tar_start, netrun_busybox_tar_end
netrun_busybox_tar_start:
    .incbin ")" NETRUN_BUSYBOX_TAR R"("
netrun_busybox_tar_end:
    .globl netrun_busybox_tar_sha256
    .hidden netrun_busybox_tar_sha256
netrun_busybox_tar_sha256:
    .incbin ")" NETRUN_BUSYBOX_TAR R"(.sha256"
    .previous
)");

extern "C" {
__attribute__((visibility("hidden"))) extern const unsigned char netrun_busybox_tar_start[];
__attribute__((visibility("hidden"))) extern const unsigned char netrun_busybox_tar_end[];
__attribute__((visibility("hidden"))) extern const char netrun_busybox_tar_sha256[64];
}

namespace netrun::image {

std::span<const unsigned char> embedded_default_image_tar() {
    return {netrun_busybox_tar_start, netrun_busybox_tar_end};
}

std::string_view embedded_default_image_sha256() { return {netrun_busybox_tar_sha256, 64}; }

ImageConfig embedded_default_image_config() {
    return {.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
            .cmd = {"sh"},
            .workdir = "/"};
}

}  // namespace netrun::image
