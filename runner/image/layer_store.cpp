#include "image/layer_store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <memory>

#include "image/archive_reader.hpp"
#include "image/digest.hpp"
#include "image/errors.hpp"
#include "image/fs_tree.hpp"
#include "image/layer_extract.hpp"
#include "netlib/sys/files.hpp"

namespace netrun::image {

namespace {

bool exists(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}

netlib::Expected<std::string> blob_hex(const LayerBlob& blob) {
    std::string hex =
        blob.path.empty() ? sha256_hex(blob.bytes) : NETLIB_TRY(sha256_file_hex(blob.path));
    if (!blob.expected_hex.empty() && hex != blob.expected_hex)
        return image_fail(ImageCode::BadArchive,
                          blob.label() + ": content is sha256:" + hex +
                              " but the image says sha256:" + blob.expected_hex +
                              " (corrupt or tampered layer)");
    return hex;
}

netlib::Expected<ArchiveReader> open_blob(const LayerBlob& blob) {
    if (blob.path.empty()) return ArchiveReader::open_memory(blob.bytes, blob.label());
    return ArchiveReader::open_file(blob.path);
}

// staging_dir/<hex>/diff extracted, staging_dir/<hex>/size written.
netlib::Expected<std::string> unpack(const LayerBlob& blob, const std::string& hex,
                                     const std::string& staging_dir) {
    std::string dir = staging_dir + "/" + hex;
    if (exists(dir)) return dir;  // the same layer twice in one image
    NETLIB_TRYV(netlib::sys::mkdir_p(dir + "/diff", 0755));
    // libarchive's symlink check walks the destination's own path too: give it a canonical one.
    char canon[PATH_MAX];
    if (!::realpath((dir + "/diff").c_str(), canon))
        return netlib::fail_errno(netlib::Code::Io, "resolve " + dir, errno);
    auto in = NETLIB_TRY(open_blob(blob));
    auto stats = NETLIB_TRY(extract_layer(in, canon));
    NETLIB_TRYV(
        netlib::sys::write_file_atomic(dir + "/size", std::to_string(stats.size_bytes) + "\n"));
    return dir;
}

}  // namespace

std::string LayerBlob::label() const {
    return path.empty() ? std::string(name) : path;
}

netlib::Expected<StagedLayer> stage_layer(const StoreLayout& layout, const LayerBlob& blob,
                                          const std::string& staging_dir) {
    StagedLayer out{.hex = NETLIB_TRY(blob_hex(blob))};
    if (!exists(layout.layer(out.hex))) out.staged = NETLIB_TRY(unpack(blob, out.hex, staging_dir));
    return out;
}

netlib::Expected<void> sync_staging(const std::string& staging_dir) {
    netlib::sys::Fd fd(::open(staging_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return netlib::fail_errno(netlib::Code::Io, "open " + staging_dir, errno);
    if (::syncfs(fd.get()) != 0)
        return netlib::fail_errno(netlib::Code::Io, "syncfs " + staging_dir, errno);
    return {};
}

netlib::Expected<void> commit_layer(const StoreLayout& layout, const StagedLayer& layer,
                                    const LayerBlob& blob, const std::string& staging_dir) {
    std::string dest = layout.layer(layer.hex);
    if (exists(dest)) return {};  // an import that finished first brought the same content
    std::string staged = layer.staged;
    if (staged.empty()) {  // rare: removed by an rmi since stage_layer looked
        staged = NETLIB_TRY(unpack(blob, layer.hex, staging_dir));
        NETLIB_TRYV(sync_staging(staging_dir));
    }
    if (::rename(staged.c_str(), dest.c_str()) != 0)
        return netlib::fail_errno(netlib::Code::Io, "move layer " + staged + " to " + dest, errno);
    return {};
}

netlib::Expected<std::int64_t> layer_size(const StoreLayout& layout, const std::string& hex) {
    auto text = NETLIB_TRY(netlib::sys::read_file(layout.layer(hex) + "/size"));
    char* end = nullptr;
    long long n = std::strtoll(text.c_str(), &end, 10);
    if (end == text.c_str() || n < 0)
        return netlib::fail(netlib::Code::Decode, "layer " + hex + ": damaged size file");
    return static_cast<std::int64_t>(n);
}

netlib::Expected<void> remove_unreferenced_layers(const StoreLayout& layout,
                                                  const std::set<std::string>& keep) {
    std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(layout.layers().c_str()), ::closedir);
    if (!dir) {
        if (errno == ENOENT) return {};
        return netlib::fail_errno(netlib::Code::Io, "open " + layout.layers(), errno);
    }
    std::vector<std::string> doomed;
    while (dirent* de = ::readdir(dir.get())) {
        std::string name = de->d_name;
        if (name != "." && name != ".." && !keep.contains(name)) doomed.push_back(name);
    }
    for (const auto& hex : doomed) {
        // Renamed out first, so layers/ never holds a half-deleted tree.
        std::string grave = layout.tmp() + "/rm-" + std::to_string(::getpid()) + "-" + hex;
        if (::rename(layout.layer(hex).c_str(), grave.c_str()) != 0)
            return netlib::fail_errno(netlib::Code::Io, "move out layer " + hex, errno);
        NETLIB_TRYV(remove_tree(grave));
    }
    return {};
}

}  // namespace netrun::image
