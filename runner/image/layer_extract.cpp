#include "image/layer_extract.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>

#include <cerrno>
#include <utility>
#include <vector>

#include "image/disk_writer.hpp"
#include "image/errors.hpp"
#include "image/whiteout.hpp"
#include "netlib/sys/fd.hpp"

namespace netrun::image {

namespace {

const char* entry_path(archive_entry* e) {
    const char* p = archive_entry_pathname(e);
    if (!p) p = archive_entry_pathname_utf8(e);
    return p ? p : "";
}

netlib::Expected<std::string> clean_or_refuse(const char* raw, const ArchiveReader& in) {
    auto rel = clean_entry_path(raw);
    if (!rel)
        return image_fail(ImageCode::BadArchive,
                          in.label() + ": entry \"" + raw + "\" leaves the destination (..)");
    return *rel;
}

std::string under(const std::string& dest, const std::string& rel) {
    return rel.empty() ? dest : dest + "/" + rel;
}

// Hardlink targets are paths inside the archive too: anchor them the same way.
netlib::Expected<void> anchor_hardlink(archive_entry* e, const std::string& dest,
                                       const ArchiveReader& in) {
    const char* link = archive_entry_hardlink(e);
    if (!link) return {};
    auto rel = NETLIB_TRY(clean_or_refuse(link, in));
    if (rel.empty())
        return image_fail(ImageCode::BadArchive, in.label() + ": hardlink to the root directory");
    archive_entry_set_hardlink(e, under(dest, rel).c_str());
    return {};
}

// trusted.* xattrs (overlay.opaque, overlay.redirect, ...) would let an archive steer how
// overlayfs merges layers; only our own whiteout conversion sets them.
void drop_trusted_xattrs(archive_entry* e) {
    std::vector<std::pair<std::string, std::string>> keep;
    bool dropped = false;
    const char* name = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    archive_entry_xattr_reset(e);
    while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
        if (std::string_view(name).starts_with("trusted.")) {
            dropped = true;
            continue;
        }
        keep.emplace_back(name, std::string(static_cast<const char*>(value), size));
    }
    if (!dropped) return;
    archive_entry_xattr_clear(e);
    for (auto& [n, v] : keep) archive_entry_xattr_add_entry(e, n.c_str(), v.data(), v.size());
}

struct Deletions {
    std::vector<std::string> whiteouts;  // paths the layer deletes
    std::vector<std::string> opaque;     // directories whose lower contents the layer hides
};

// Classifies a whiteout marker; false when rel is an ordinary entry.
netlib::Expected<bool> note_marker(const std::string& rel, archive_entry* e, Deletions& del,
                                   const ArchiveReader& in) {
    auto slash = rel.rfind('/');
    std::string parent = slash == std::string::npos ? "" : rel.substr(0, slash);
    std::string_view base = slash == std::string::npos ? std::string_view(rel)
                                                       : std::string_view(rel).substr(slash + 1);
    if (base == kOpaqueMarker) {
        del.opaque.push_back(parent);
        return true;
    }
    if (base.starts_with(".wh..wh."))
        return true;  // aufs bookkeeping (.wh..wh.plnk, ...): not content
    if (base.starts_with(kWhiteoutPrefix)) {
        std::string_view target = base.substr(kWhiteoutPrefix.size());
        if (target.empty() || target == "." || target == "..")
            return image_fail(ImageCode::BadArchive,
                              in.label() + ": malformed whiteout \"" + rel + "\"");
        del.whiteouts.push_back(parent.empty() ? std::string(target)
                                               : parent + "/" + std::string(target));
        return true;
    }
    // Already in overlay form (e.g. a tar of an overlay upper dir): a char device 0/0.
    if (archive_entry_filetype(e) == AE_IFCHR && archive_entry_rdev(e) == 0) {
        del.whiteouts.push_back(rel);
        return true;
    }
    return false;
}

netlib::Expected<void> apply_deletions(const Deletions& del, const std::string& dest) {
    netlib::sys::Fd root(::open(dest.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!root) return netlib::fail_errno(netlib::Code::Io, "open " + dest, errno);
    for (const auto& dir : del.opaque) NETLIB_TRYV(make_opaque(root.get(), dir));
    for (const auto& path : del.whiteouts) NETLIB_TRYV(make_whiteout(root.get(), path));
    return {};
}

}  // namespace

netlib::Expected<LayerStats> extract_layer(ArchiveReader& in, const std::string& dest) {
    auto out = NETLIB_TRY(DiskWriter::create(ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM |
                                             ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_XATTR));
    LayerStats stats;
    Deletions del;
    while (archive_entry* e = NETLIB_TRY(in.next())) {
        std::string rel = NETLIB_TRY(clean_or_refuse(entry_path(e), in));
        if (NETLIB_TRY(note_marker(rel, e, del, in))) continue;
        auto type = archive_entry_filetype(e);
        if (type == AE_IFCHR || type == AE_IFBLK)
            return image_fail(ImageCode::BadArchive, in.label() + ": device node \"" + rel +
                                                         "\": layers may not contain device nodes");
        NETLIB_TRYV(anchor_hardlink(e, dest, in));
        drop_trusted_xattrs(e);
        archive_entry_set_pathname(e, under(dest, rel).c_str());
        NETLIB_TRYV(out.write(in, e, in.label() + ": \"" + rel + "\""));
        if (type == AE_IFREG) stats.size_bytes += archive_entry_size(e);
    }
    // After all entries, so a directory the layer lists after its marker exists already and
    // a whiteout is never overwritten by a later entry.
    NETLIB_TRYV(apply_deletions(del, dest));
    NETLIB_TRYV(out.close());
    return stats;
}

netlib::Expected<void> unpack_layout(ArchiveReader& in, const std::string& dest) {
    auto out = NETLIB_TRY(DiskWriter::create(0));
    while (archive_entry* e = NETLIB_TRY(in.next())) {
        std::string rel = NETLIB_TRY(clean_or_refuse(entry_path(e), in));
        auto type = archive_entry_filetype(e);
        if (rel.empty() || (type != AE_IFDIR && type != AE_IFREG && type != AE_IFLNK)) continue;
        NETLIB_TRYV(anchor_hardlink(e, dest, in));
        archive_entry_set_pathname(e, under(dest, rel).c_str());
        NETLIB_TRYV(out.write(in, e, in.label() + ": \"" + rel + "\""));
    }
    return out.close();
}

}  // namespace netrun::image
