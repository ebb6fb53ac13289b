#include "image/image_source.hpp"

#include <archive_entry.h>
#include <sys/stat.h>

#include <cerrno>
#include <climits>
#include <cstdlib>

#include "image/archive_reader.hpp"
#include "image/errors.hpp"
#include "netlib/sys/files.hpp"

namespace netrun::image {

namespace {

constexpr std::size_t kMaxJsonBytes = 16 << 20;

bool exists(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace

netlib::Expected<SourceKind> classify_archive(const std::string& path) {
    auto in = NETLIB_TRY(ArchiveReader::open_file(path));
    bool manifest = false, index = false;
    std::size_t entries = 0;
    while (archive_entry* e = NETLIB_TRY(in.next())) {
        ++entries;
        const char* p = archive_entry_pathname(e);
        auto rel = clean_entry_path(p ? p : "");
        if (!rel) continue;  // refused later, by whichever extraction reads it
        manifest |= *rel == "manifest.json";
        index |= *rel == "index.json";
    }
    if (entries == 0)
        return image_fail(ImageCode::BadArchive, path + ": empty archive (not a tar archive?)");
    if (manifest) return SourceKind::DockerSave;
    if (index) return SourceKind::OciLayout;
    return SourceKind::RootfsTar;
}

netlib::Expected<SourceKind> classify_dir(const std::string& dir) {
    if (exists(dir + "/manifest.json")) return SourceKind::DockerSave;
    if (exists(dir + "/index.json")) return SourceKind::OciLayout;
    return image_fail(
        ImageCode::BadArchive,
        dir +
            ": directory is neither a docker save (manifest.json) nor an OCI layout (index.json)");
}

netlib::Expected<std::string> layout_file(const std::string& dir, const std::string& rel) {
    auto clean = clean_entry_path(rel);
    if (!clean || clean->empty() || rel.starts_with("/"))
        return image_fail(ImageCode::BadArchive,
                          dir + ": path \"" + rel + "\" points outside the image layout");
    char base[PATH_MAX], full[PATH_MAX];
    if (!::realpath(dir.c_str(), base))
        return netlib::fail_errno(netlib::Code::Io, "resolve " + dir, errno);
    std::string path = dir + "/" + *clean;
    if (!::realpath(path.c_str(), full)) {
        int e = errno;
        if (e == ENOENT)
            return image_fail(ImageCode::BadArchive,
                              dir + ": \"" + rel + "\" is missing from the image");
        return netlib::fail_errno(netlib::Code::Io, "resolve " + path, e);
    }
    std::string_view b(base), f(full);
    if (!f.starts_with(b) || f.size() <= b.size() || f[b.size()] != '/')
        return image_fail(ImageCode::BadArchive,
                          dir + ": \"" + rel + "\" resolves outside the image layout");
    return std::string(full);
}

netlib::Expected<std::string> read_layout_json(const std::string& dir, const std::string& rel) {
    auto path = NETLIB_TRY(layout_file(dir, rel));
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return netlib::fail_errno(netlib::Code::Io, "stat " + path, errno);
    if (!S_ISREG(st.st_mode) || static_cast<std::size_t>(st.st_size) > kMaxJsonBytes)
        return image_fail(ImageCode::BadArchive,
                          dir + ": \"" + rel + "\" is not a JSON document of sane size");
    return netlib::sys::read_file(path);
}

}  // namespace netrun::image
