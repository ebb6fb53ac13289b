// libcni-compatible result cache: encoding, atomic write, read with legacy fallback, listing.
#include "netlib/cni/cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>

#include "netlib/sys/base64.hpp"
#include "netlib/sys/fd.hpp"
#include "netlib/sys/files.hpp"

namespace netlib::cni {

using nlohmann::json;

namespace {

// Temp files live in a subdirectory of results/: libcni's GetCachedAttachments skips
// directories, so a temp file left by a crash can never be mistaken for an attachment.
constexpr std::string_view kTmpDir = ".netrun-tmp";

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

Expected<std::string> string_field(const json& doc, const char* key) {
    auto it = doc.find(key);
    if (it == doc.end() || it->is_null()) return std::string{};
    if (!it->is_string()) return fail(Code::Decode, std::string("cache: \"") + key + "\" is not a string");
    return it->get<std::string>();
}

Expected<std::vector<std::pair<std::string, std::string>>> args_field(const json& doc) {
    std::vector<std::pair<std::string, std::string>> out;
    auto it = doc.find("cniArgs");
    if (it == doc.end() || it->is_null()) return out;
    auto bad = [] { return fail(Code::Decode, "cache: \"cniArgs\" is not a list of [key, value] pairs"); };
    if (!it->is_array()) return bad();
    for (const auto& p : *it) {
        if (!p.is_array() || p.size() != 2 || !p[0].is_string() || !p[1].is_string()) return bad();
        out.emplace_back(p[0].get<std::string>(), p[1].get<std::string>());
    }
    return out;
}

Expected<json> object_field(const json& doc, const char* key, json absent) {
    auto it = doc.find(key);
    if (it == doc.end() || it->is_null()) return absent;
    if (!it->is_object()) return fail(Code::Decode, std::string("cache: \"") + key + "\" is not an object");
    return *it;
}

Expected<> write_all(int fd, std::string_view data, const std::string& path) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail_errno(Code::Io, "write cache file " + path, errno);
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
}

// temp file (0600) + write + fsync + rename + fsync(dir): readers see the old entry or the
// whole new one, also after a power cut.
Expected<> write_durably(const std::string& dir, const std::string& path, std::string_view data) {
    std::string tmpdir = dir + "/" + std::string(kTmpDir);
    if (::mkdir(tmpdir.c_str(), 0700) != 0 && errno != EEXIST)
        return fail_errno(Code::Io, "create cache temp dir " + tmpdir, errno);
    std::string tmp = tmpdir + "/entry.XXXXXX";
    sys::Fd fd(::mkostemp(tmp.data(), O_CLOEXEC));
    if (!fd) return fail_errno(Code::Io, "create cache temp file in " + tmpdir, errno);
    auto ok = write_all(fd.get(), data, tmp);
    if (ok && ::fsync(fd.get()) != 0) ok = fail_errno(Code::Io, "fsync " + tmp, errno);
    fd.reset();
    if (ok && ::rename(tmp.c_str(), path.c_str()) != 0)
        ok = fail_errno(Code::Io, "rename " + tmp + " to " + path, errno);
    if (!ok) {
        ::unlink(tmp.c_str());
        return ok;
    }
    sys::Fd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dfd) ::fsync(dfd.get());  // best effort: the entry is already visible and complete
    return {};
}

bool exists(const std::string& path) {
    struct stat st{};
    return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace

std::string encode_cache(const CacheEntry& e) {
    std::string out = "{\"kind\":" + dump(kCacheKind);
    out += ",\"containerId\":" + dump(e.container_id);
    out += ",\"config\":" + dump(sys::base64_encode(e.config));
    out += ",\"ifName\":" + dump(e.ifname);
    out += ",\"networkName\":" + dump(e.network_name);
    if (!e.netns.empty()) out += ",\"netns\":" + dump(e.netns);
    if (!e.cni_args.empty()) {
        json args = json::array();
        for (const auto& [k, v] : e.cni_args) args.push_back(json::array({k, v}));
        out += ",\"cniArgs\":" + dump(args);
    }
    if (e.capability_args.is_object() && !e.capability_args.empty())
        out += ",\"capabilityArgs\":" + dump(e.capability_args);
    if (e.result.is_object() && !e.result.empty()) out += ",\"result\":" + dump(e.result);
    out += "}";
    return out;
}

Expected<CacheEntry> decode_cache(std::string_view bytes) {
    auto doc = json::parse(bytes.begin(), bytes.end(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return fail(Code::Decode, "cache: not a JSON object");
    auto kind = doc.find("kind");
    if (kind == doc.end() || !kind->is_string() || kind->get_ref<const std::string&>() != kCacheKind) return fail(Code::Decode, "cache: kind is not cniCacheV1");
    CacheEntry e;
    e.container_id = NETLIB_TRY(string_field(doc, "containerId"));
    e.ifname = NETLIB_TRY(string_field(doc, "ifName"));
    e.network_name = NETLIB_TRY(string_field(doc, "networkName"));
    e.netns = NETLIB_TRY(string_field(doc, "netns"));
    auto config = sys::base64_decode(NETLIB_TRY(string_field(doc, "config")));
    if (!config) return std::unexpected(with_context(config.error(), "cache: \"config\""));
    e.config = std::move(*config);
    e.cni_args = NETLIB_TRY(args_field(doc));
    e.capability_args = NETLIB_TRY(object_field(doc, "capabilityArgs", json::object()));
    e.result = NETLIB_TRY(object_field(doc, "result", json()));
    return e;
}

std::string ResultCache::path(std::string_view network, std::string_view container_id,
                              std::string_view ifname) const {
    return results_dir() + "/" + std::string(network) + "-" + std::string(container_id) + "-" +
           std::string(ifname);
}

Expected<> ResultCache::write(const CacheEntry& e) const {
    if (e.network_name.empty() || e.container_id.empty() || e.ifname.empty())
        return fail(Code::Internal, "cache entry needs network name, container ID and ifname");
    std::string dir = results_dir();
    NETLIB_TRYV(sys::mkdir_p(dir, 0700));
    return write_durably(dir, path(e.network_name, e.container_id, e.ifname), encode_cache(e));
}

Expected<std::optional<CacheEntry>> ResultCache::read(std::string_view network,
                                                      std::string_view container_id,
                                                      std::string_view ifname) const {
    std::string p = path(network, container_id, ifname);
    if (!exists(p)) return std::nullopt;
    auto bytes = NETLIB_TRY(sys::read_file(p));
    auto e = decode_cache(bytes);
    if (!e) return std::unexpected(with_context(e.error(), "read " + p));
    return std::optional<CacheEntry>(std::move(*e));
}

Expected<std::optional<json>> ResultCache::read_result(std::string_view network,
                                                       std::string_view container_id,
                                                       std::string_view ifname) const {
    std::string p = path(network, container_id, ifname);
    if (!exists(p)) return std::nullopt;
    auto bytes = NETLIB_TRY(sys::read_file(p));
    if (auto e = decode_cache(bytes)) {
        if (e->result.is_null()) return std::nullopt;
        return std::optional<json>(std::move(e->result));
    }
    // Before cniCacheV1, libcni stored the bare result at the same path.
    auto legacy = json::parse(bytes, nullptr, false);
    if (legacy.is_object() && !legacy.contains("kind") && legacy.contains("cniVersion"))
        return std::optional<json>(std::move(legacy));
    return fail(Code::Decode, "read " + p + ": neither a cniCacheV1 entry nor a cached result");
}

Expected<> ResultCache::remove(std::string_view network, std::string_view container_id,
                               std::string_view ifname) const {
    std::string p = path(network, container_id, ifname);
    if (::unlink(p.c_str()) != 0 && errno != ENOENT) return fail_errno(Code::Io, "remove " + p, errno);
    return {};
}

Expected<std::vector<CacheEntry>> ResultCache::list(std::string_view network) const {
    namespace fs = std::filesystem;
    std::vector<std::pair<std::string, CacheEntry>> found;
    std::error_code ec;
    fs::directory_iterator it(results_dir(), ec);
    if (ec == std::errc::no_such_file_or_directory) return std::vector<CacheEntry>{};
    if (ec) return fail(Code::Io, "list " + results_dir() + ": " + ec.message());
    const std::string prefix = network.empty() ? std::string{} : std::string(network) + "-";
    for (; it != fs::directory_iterator(); it.increment(ec)) {
        if (ec) return fail(Code::Io, "list " + results_dir() + ": " + ec.message());
        std::string name = it->path().filename().string();
        // The file name starts with "<network>-": skip other networks without reading them.
        if (!name.starts_with(prefix)) continue;
        std::error_code tec;
        if (!it->is_regular_file(tec)) continue;
        auto bytes = sys::read_file(it->path().string());
        if (!bytes) continue;
        auto e = decode_cache(*bytes);
        if (!e || e->ifname.empty() || e->network_name.empty() || e->container_id.empty()) continue;
        if (!network.empty() && e->network_name != network) continue;
        found.emplace_back(std::move(name), std::move(*e));
    }
    std::ranges::sort(found, {}, &std::pair<std::string, CacheEntry>::first);
    std::vector<CacheEntry> out;
    for (auto& [n, e] : found) out.push_back(std::move(e));
    return out;
}

}  // namespace netlib::cni
