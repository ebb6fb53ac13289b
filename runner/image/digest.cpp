#include "image/digest.hpp"

#include <fcntl.h>
#include <nettle/sha2.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>

#include "image/errors.hpp"
#include "netlib/sys/fd.hpp"

namespace netrun::image {

namespace {

std::string to_hex(const std::array<std::uint8_t, SHA256_DIGEST_SIZE>& d) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(d.size() * 2);
    for (auto b : d) {
        out.push_back(kHex[b >> 4]);
        out.push_back(kHex[b & 0xf]);
    }
    return out;
}

std::string finish(sha256_ctx& ctx) {
    std::array<std::uint8_t, SHA256_DIGEST_SIZE> d{};
    sha256_digest(&ctx, d.size(), d.data());
    return to_hex(d);
}

}  // namespace

std::string sha256_hex(std::span<const unsigned char> data) {
    sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, data.size(), data.data());
    return finish(ctx);
}

std::string sha256_hex(std::string_view data) {
    return sha256_hex(std::span(reinterpret_cast<const unsigned char*>(data.data()), data.size()));
}

netlib::Expected<std::string> sha256_file_hex(const std::string& path) {
    netlib::sys::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return netlib::fail_errno(netlib::Code::Io, "open " + path, errno);
    sha256_ctx ctx;
    sha256_init(&ctx);
    std::array<std::uint8_t, 1 << 16> buf{};
    for (;;) {
        ssize_t n = ::read(fd.get(), buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return netlib::fail_errno(netlib::Code::Io, "read " + path, errno);
        }
        if (n == 0) break;
        sha256_update(&ctx, static_cast<std::size_t>(n), buf.data());
    }
    return finish(ctx);
}

netlib::Expected<std::string> digest_hex(std::string_view digest) {
    constexpr std::string_view kPrefix = "sha256:";
    if (!digest.starts_with(kPrefix))
        return image_fail(ImageCode::BadArchive,
                          "unsupported digest \"" + std::string(digest) + "\" (only sha256)");
    std::string_view hex = digest.substr(kPrefix.size());
    bool ok = hex.size() == 64 && std::all_of(hex.begin(), hex.end(), [](char c) {
                  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
              });
    if (!ok)
        return image_fail(ImageCode::BadArchive,
                          "malformed digest \"" + std::string(digest) + "\"");
    return std::string(hex);
}

}  // namespace netrun::image
