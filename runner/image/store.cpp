// Store: lookups (resolve, list) and removal. Imports are in store_import.cpp, container
// root filesystems in rootfs.cpp.
#include <dirent.h>
#include <limits.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <memory>
#include <set>

#include "image/embedded_image.hpp"
#include "image/errors.hpp"
#include "image/image_record.hpp"
#include "image/layer_store.hpp"
#include "image/store_layout.hpp"
#include "netlib/sys/files.hpp"

namespace netrun::image {

std::string default_root() {
    const char* env = std::getenv("NETRUN_ROOT");
    return env && *env ? env : "/var/lib/netrun";
}

Store::Store(std::string root) : root_(std::move(root)) {}

netlib::Expected<void> Store::ensure_layout() {
    if (layout_ready_) return {};  // once per Store: saves ~25 failing mkdir()s per call
    NETLIB_TRYV(netlib::sys::mkdir_p(root_, 0700));
    char canon[PATH_MAX];
    if (!::realpath(root_.c_str(), canon))
        return netlib::fail_errno(netlib::Code::Io, "resolve " + root_, errno);
    root_ = canon;
    StoreLayout layout{root_};
    for (const auto& dir : {layout.layers(), layout.images(), layout.tmp(), layout.containers()})
        NETLIB_TRYV(netlib::sys::mkdir_p(dir, 0700));
    layout_ready_ = true;
    return {};
}

netlib::Expected<std::optional<Image>> Store::find(const std::string& name_or_id) {
    NETLIB_TRYV(ensure_layout());
    StoreLayout layout{root_};
    auto names = NETLIB_TRY(load_names(layout));
    auto name_of = [&](const std::string& id) {
        for (const auto& [n, i] : names)
            if (i == id) return n;
        return std::string{};
    };
    if (auto canon = normalize_name(name_or_id); canon) {
        if (auto it = names.find(*canon); it != names.end())
            return make_image(layout, NETLIB_TRY(load_record(layout, it->second)), it->first);
    }
    std::string prefix = name_or_id.starts_with("sha256:") ? name_or_id.substr(7) : name_or_id;
    bool hexish = prefix.size() >= 4 && prefix.size() <= 64 &&
                  std::all_of(prefix.begin(), prefix.end(),
                              [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
    if (!hexish) return std::nullopt;
    auto ids = NETLIB_TRY(ids_with_prefix(layout, prefix));
    if (ids.empty()) return std::nullopt;
    if (ids.size() > 1)
        return image_fail(ImageCode::NotFound, "image id prefix \"" + prefix + "\" is ambiguous (" +
                                                   std::to_string(ids.size()) +
                                                   " images); give more digits");
    return make_image(layout, NETLIB_TRY(load_record(layout, ids.front())), name_of(ids.front()));
}

netlib::Expected<Image> Store::resolve(const std::string& name_or_id) {
    auto canon = normalize_name(name_or_id);
    bool builtin_name = canon && *canon == kDefaultImage;
    auto found = NETLIB_TRY(find(name_or_id));
    if (found && (!builtin_name || is_current_builtin(*found))) return *found;
    if (builtin_name) {
        // First use, or a store filled by another netrun build: bring in this binary's image
        // and drop the previous one unless it has another name or a container uses it.
        auto img = NETLIB_TRY(import_embedded());
        if (found && found->id != img.id) {
            auto names = NETLIB_TRY(load_names(StoreLayout{root_}));
            bool named = std::any_of(names.begin(), names.end(),
                                     [&](const auto& kv) { return kv.second == found->id; });
            if (!named) (void)remove(found->id);  // InUse: stays, unnamed, until rmi by id
        }
        return img;
    }
    return image_fail(ImageCode::NotFound,
                      "image \"" + name_or_id +
                          "\" not found (`netrun images` lists local images, " +
                          "`netrun import FILE NAME` adds one; there are no downloads)");
}

bool Store::is_current_builtin(const Image& img) const {
    StoreLayout layout{root_};
    return img.layers.size() == 1 &&
           img.layers[0] == layout.layer_diff(std::string(embedded_default_image_sha256())) &&
           img.config == embedded_default_image_config();
}

netlib::Expected<std::vector<Image>> Store::list() {
    NETLIB_TRYV(ensure_layout());
    StoreLayout layout{root_};
    auto names = NETLIB_TRY(load_names(layout));
    auto records = NETLIB_TRY(load_all_records(layout));
    std::vector<Image> out;
    for (const auto& rec : records) {
        bool named = false;
        for (const auto& [n, id] : names)
            if (id == rec.id) {
                out.push_back(make_image(layout, rec, n));
                named = true;
            }
        if (!named) out.push_back(make_image(layout, rec, ""));
    }
    std::sort(out.begin(), out.end(), [](const Image& a, const Image& b) {
        return a.name != b.name ? a.name < b.name : a.id < b.id;
    });
    return out;
}

netlib::Expected<bool> Store::used_by_container(const std::string& image_id) {
    if (in_use_ && in_use_(image_id)) return true;
    // prepare_rootfs records each container's image: a container the lifecycle lost track
    // of still pins its layers.
    StoreLayout layout{root_};
    std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(layout.containers().c_str()), ::closedir);
    if (!dir) return false;
    while (dirent* de = ::readdir(dir.get())) {
        std::string_view name = de->d_name;
        if (name == "." || name == "..") continue;
        auto id = netlib::sys::read_file(layout.container(std::string(name)) + "/image");
        if (id && *id == image_id) return true;
    }
    return false;
}

netlib::Expected<void> Store::remove(const std::string& name_or_id) {
    NETLIB_TRYV(ensure_layout());
    StoreLayout layout{root_};
    auto lock = NETLIB_TRY(netlib::sys::FileLock::acquire(layout.lock()));
    auto found = NETLIB_TRY(find(name_or_id));
    if (!found) return image_fail(ImageCode::NotFound, "image \"" + name_or_id + "\" not found");
    auto names = NETLIB_TRY(load_names(layout));
    const std::string id = found->id;
    auto canon = normalize_name(name_or_id);
    bool by_name = canon && names.contains(*canon);
    auto other_names =
        std::count_if(names.begin(), names.end(), [&](const auto& kv) { return kv.second == id; });
    // Like `docker rmi repo:tag`: with other names left, only this name goes.
    if (by_name && other_names > 1) {
        names.erase(*canon);
        return save_names(layout, names);
    }
    if (NETLIB_TRY(used_by_container(id)))
        return image_fail(ImageCode::InUse,
                          "image \"" + name_or_id + "\" (" + id.substr(0, 12) +
                              ") is used by a container; remove the container first");
    std::erase_if(names, [&](const auto& kv) { return kv.second == id; });
    NETLIB_TRYV(save_names(layout, names));
    if (::unlink(layout.image_record(id).c_str()) != 0 && errno != ENOENT)
        return netlib::fail_errno(netlib::Code::Io, "remove " + layout.image_record(id), errno);
    std::set<std::string> keep;
    for (const auto& rec : NETLIB_TRY(load_all_records(layout)))
        keep.insert(rec.layers.begin(), rec.layers.end());
    return remove_unreferenced_layers(layout, keep);
}

}  // namespace netrun::image
