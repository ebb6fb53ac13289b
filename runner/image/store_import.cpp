// Store::import and the embedded default image: read the source (rootfs tar, docker save,
// OCI layout), stage its layers outside the lock, then commit layers, record and name under it.
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <ctime>
#include <memory>

#include "image/embedded_image.hpp"
#include "image/errors.hpp"
#include "image/fs_tree.hpp"
#include "image/image_record.hpp"
#include "image/image_source.hpp"
#include "image/layer_extract.hpp"
#include "image/layer_store.hpp"
#include "netlib/sys/files.hpp"

namespace netrun::image {

namespace {

constexpr std::string_view kStagingPrefix = "import-";

std::string now_rfc3339() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// Staging dirs are "import-<pid>-XXXXXX": one left by a killed import (its pid gone) is swept.
void sweep_stale_staging(const StoreLayout& layout) {
    std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(layout.tmp().c_str()), ::closedir);
    if (!dir) return;
    std::vector<std::string> stale;
    while (dirent* de = ::readdir(dir.get())) {
        std::string_view name = de->d_name;
        if (!name.starts_with(kStagingPrefix) && !name.starts_with("rm-")) continue;
        name.remove_prefix(name.find('-') + 1);
        long pid = std::strtol(std::string(name).c_str(), nullptr, 10);
        if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
            stale.emplace_back(de->d_name);
    }
    for (const auto& name : stale)
        (void)remove_tree(layout.tmp() + "/" + name);  // best effort, retried next time
}

netlib::Expected<ImageSource> read_layout_dir(const std::string& dir, SourceKind kind,
                                              const std::string& name) {
    return kind == SourceKind::DockerSave ? read_docker_save(dir, name)
                                          : read_oci_layout(dir, name);
}

netlib::Expected<ImageSource> read_source(const std::string& path, const std::string& name,
                                          const std::string& staging) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return netlib::fail_errno(netlib::Code::Io, "import " + path, errno);
    if (S_ISDIR(st.st_mode)) return read_layout_dir(path, NETLIB_TRY(classify_dir(path)), name);
    auto kind = NETLIB_TRY(classify_archive(path));
    if (kind == SourceKind::RootfsTar) return ImageSource{.layers = {{.path = path}}};
    std::string layout_dir = staging + "/layout";
    NETLIB_TRYV(netlib::sys::mkdir_p(layout_dir, 0700));
    auto in = NETLIB_TRY(ArchiveReader::open_file(path));
    NETLIB_TRYV(unpack_layout(in, layout_dir));
    return read_layout_dir(layout_dir, kind, name);
}

// Layers are staged (hashed, unpacked) without the lock, then committed under it together
// with the record and the name, so readers see either the old state or the complete image.
netlib::Expected<Image> store_image(const StoreLayout& layout, const ImageSource& src,
                                    const std::string& name, const std::string& staging) {
    std::vector<StagedLayer> staged;
    for (const auto& blob : src.layers)
        staged.push_back(NETLIB_TRY(stage_layer(layout, blob, staging)));
    if (std::any_of(staged.begin(), staged.end(),
                    [](const StagedLayer& l) { return !l.staged.empty(); }))
        NETLIB_TRYV(sync_staging(staging));

    auto lock = NETLIB_TRY(netlib::sys::FileLock::acquire(layout.lock()));
    ImageRecord rec{.config = src.config,
                    .created = src.created.empty() ? now_rfc3339() : src.created};
    for (std::size_t i = 0; i < staged.size(); ++i) {
        NETLIB_TRYV(commit_layer(layout, staged[i], src.layers[i], staging));
        rec.layers.push_back(staged[i].hex);
        rec.size_bytes += NETLIB_TRY(layer_size(layout, staged[i].hex));
    }
    rec.id = src.config_hex.empty() ? record_content_id(rec) : src.config_hex;
    NETLIB_TRYV(save_record(layout, rec));
    if (!name.empty()) {
        auto names = NETLIB_TRY(load_names(layout));
        names[name] = rec.id;
        NETLIB_TRYV(save_names(layout, names));
    }
    return make_image(layout, rec, name);
}

netlib::Expected<TempDir> make_staging(const StoreLayout& layout) {
    sweep_stale_staging(layout);
    return TempDir::create(layout.tmp(),
                           std::string(kStagingPrefix) + std::to_string(::getpid()) + "-");
}

}  // namespace

netlib::Expected<Image> Store::import(const std::string& archive_path, const std::string& name) {
    std::string canon = name.empty() ? std::string{} : NETLIB_TRY(normalize_name(name));
    if (canon == kDefaultImage)
        return netlib::fail(netlib::Code::InvalidConfig,
                            std::string(kDefaultImage) +
                                " is the built-in image's name; import under another name");
    NETLIB_TRYV(ensure_layout());
    StoreLayout layout{root_};
    auto staging = NETLIB_TRY(make_staging(layout));
    auto src = NETLIB_TRY(read_source(archive_path, canon, staging.path()));
    if (canon.empty() && !src.ref_name.empty()) {
        auto ref = normalize_name(src.ref_name);
        // An odd (or the reserved) name in the archive is left out, not fatal.
        if (ref && *ref != kDefaultImage) canon = *ref;
    }
    auto img = store_image(layout, src, canon, staging.path());
    if (!img) return std::unexpected(with_context(img.error(), "import " + archive_path));
    return img;
}

netlib::Expected<Image> Store::import_embedded() {
    NETLIB_TRYV(ensure_layout());
    StoreLayout layout{root_};
    auto staging = NETLIB_TRY(make_staging(layout));
    ImageSource src{.layers = {{.bytes = embedded_default_image_tar(),
                                .name = "embedded netrun/busybox image"}},
                    .config = embedded_default_image_config()};
    return store_image(layout, src, std::string(kDefaultImage), staging.path());
}

}  // namespace netrun::image
