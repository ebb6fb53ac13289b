// Loading conflists from files and config directories (libcni's LoadNetworkConf order).
#include <algorithm>
#include <filesystem>
#include <initializer_list>

#include "conflist_internal.hpp"
#include "netlib/cni/conflist.hpp"
#include "netlib/sys/files.hpp"

namespace netlib::cni {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

bool has_extension(const std::string& path, std::initializer_list<std::string_view> exts) {
    auto ext = fs::path(path).extension().string();
    return std::ranges::find(exts, std::string_view(ext)) != exts.end();
}

// Non-directory entries of `dir` with one of `exts`, sorted. A missing dir has no files.
Expected<std::vector<std::string>> list_files(const std::string& dir,
                                              std::initializer_list<std::string_view> exts) {
    std::vector<std::string> out;
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec == std::errc::no_such_file_or_directory) return out;
    if (ec) return fail(Code::Io, "list config dir " + dir + ": " + ec.message());
    for (; it != fs::directory_iterator(); it.increment(ec)) {
        if (ec) return fail(Code::Io, "list config dir " + dir + ": " + ec.message());
        std::error_code tec;
        if (it->is_directory(tec)) continue;
        std::string p = it->path().string();
        if (has_extension(p, exts)) out.push_back(std::move(p));
    }
    std::ranges::sort(out);
    return out;
}

// Plugin objects from `<confdir>/<name>/*.conf`, appended by libcni unless the list says
// loadOnlyInlinedPlugins.
Expected<> append_plugin_dir(NetworkConfigList& list, const std::string& confdir) {
    std::string dir = confdir + "/" + list.name;
    auto files = NETLIB_TRY(list_files(dir, {".conf"}));
    for (const auto& f : files) {
        auto bytes = NETLIB_TRY(sys::read_file(f));
        auto plugin = json::parse(bytes, nullptr, false);
        if (plugin.is_discarded()) return fail(Code::Decode, "plugin config " + f + ": not valid JSON");
        NETLIB_TRYV(detail::validate_plugin(plugin, "plugin config " + f));
        list.plugins.push_back(std::move(plugin));
    }
    return {};
}

Expected<NetworkConfigList> list_from_file_bytes(const std::string& path, std::string_view bytes) {
    if (has_extension(path, {".conf", ".json"})) {
        auto list = NETLIB_TRY(parse_plugin_conf_as_list(bytes));
        list.source = path;
        return list;
    }
    auto list = NETLIB_TRY(detail::parse_list_document(bytes, true));
    list.source = path;
    if (!list.load_only_inlined_plugins)
        NETLIB_TRYV(append_plugin_dir(list, fs::path(path).parent_path().string()));
    if (list.plugins.empty())
        return fail(Code::InvalidConfig, "no plugins: neither a \"plugins\" list nor plugin configs in " +
                                             fs::path(path).parent_path().string() + "/" + list.name + "/");
    return list;
}

// Only the "name" of a document, for scanning a directory without validating every file.
Expected<std::string> document_name(std::string_view bytes) {
    auto j = json::parse(bytes.begin(), bytes.end(), nullptr, false);
    if (j.is_discarded()) return fail(Code::Decode, "not valid JSON");
    auto it = j.is_object() ? j.find("name") : j.end();
    if (!j.is_object() || it == j.end() || !it->is_string())
        return fail(Code::InvalidConfig, "no string \"name\"");
    return it->get<std::string>();
}

// The config files of one dir in libcni's order: every .conflist, then the legacy single
// configs, each group sorted.
Expected<std::vector<std::string>> config_files(const std::string& dir) {
    auto files = NETLIB_TRY(list_files(dir, {".conflist"}));
    auto singles = NETLIB_TRY(list_files(dir, {".conf", ".json"}));
    files.insert(files.end(), singles.begin(), singles.end());
    return files;
}

struct Scan {
    std::string_view name;
    std::vector<std::string> skipped;  // "file: reason"

    // The first file of `files` whose document is named `name`; nullopt when none.
    std::optional<Expected<NetworkConfigList>> first_match(const std::vector<std::string>& files) {
        for (const auto& f : files) {
            auto bytes = sys::read_file(f);
            if (!bytes) {
                skipped.push_back(bytes.error().msg);
                continue;
            }
            auto n = document_name(*bytes);
            if (!n) {
                skipped.push_back(f + ": " + n.error().msg);
                continue;
            }
            if (*n != name) continue;
            auto list = list_from_file_bytes(f, *bytes);
            if (!list) return std::unexpected(with_context(list.error(), "network config " + f));
            return list;
        }
        return std::nullopt;
    }
};

}  // namespace

Expected<NetworkConfigList> load_conflist_file(const std::string& path) {
    auto bytes = NETLIB_TRY(sys::read_file(path));
    auto list = list_from_file_bytes(path, bytes);
    if (!list) return std::unexpected(with_context(list.error(), "network config " + path));
    return list;
}

Expected<NetworkConfigList> find_conflist(std::span<const std::string> dirs, std::string_view name) {
    Scan scan{name, {}};
    for (const auto& dir : dirs) {
        auto files = config_files(dir);
        if (!files) {
            scan.skipped.push_back(files.error().msg);
            continue;
        }
        if (auto found = scan.first_match(*files)) return std::move(*found);
    }
    std::string where;
    for (const auto& d : dirs) where += (where.empty() ? "" : ", ") + d;
    std::string msg = "no network configuration named \"" + std::string(name) + "\" in " +
                      (where.empty() ? std::string("(no config dirs)") : where);
    std::string skipped;
    for (const auto& s : scan.skipped) skipped += (skipped.empty() ? "" : "; ") + s;
    if (!skipped.empty()) msg += " (skipped unreadable files: " + skipped + ")";
    return fail(Code::InvalidConfig, msg);
}

ConflistScan scan_conflists(std::span<const std::string> dirs) {
    ConflistScan scan;
    auto seen = [&](const std::string& name) {
        return std::ranges::any_of(scan.networks, [&](const auto& n) { return n.name == name; });
    };
    for (const auto& dir : dirs) {
        auto files = config_files(dir);
        if (!files) {
            scan.skipped.push_back(files.error().msg);
            continue;
        }
        for (const auto& f : *files) {
            auto bytes = sys::read_file(f);
            auto name = bytes ? document_name(*bytes) : std::unexpected(bytes.error());
            if (!name) {
                scan.skipped.push_back(f + ": " + name.error().msg);
                continue;
            }
            if (seen(*name)) continue;
            auto list = list_from_file_bytes(f, *bytes);
            if (!list) scan.skipped.push_back(f + ": " + list.error().msg);
            else scan.networks.push_back(std::move(*list));
        }
    }
    return scan;
}

}  // namespace netlib::cni
