#include "image/image_record.hpp"

#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <nlohmann/json.hpp>

#include "image/digest.hpp"
#include "image/errors.hpp"
#include "netlib/sys/files.hpp"

namespace netrun::image {

namespace {

using nlohmann::json;

json config_json(const ImageConfig& c) {
    return {{"env", c.env},
            {"entrypoint", c.entrypoint},
            {"cmd", c.cmd},
            {"workdir", c.workdir},
            {"user", c.user}};
}

ImageConfig config_from(const json& j) {
    return {.env = j.value("env", std::vector<std::string>{}),
            .entrypoint = j.value("entrypoint", std::vector<std::string>{}),
            .cmd = j.value("cmd", std::vector<std::string>{}),
            .workdir = j.value("workdir", ""),
            .user = j.value("user", "")};
}

}  // namespace

std::string record_content_id(const ImageRecord& rec) {
    return sha256_hex(json{{"layers", rec.layers}, {"config", config_json(rec.config)}}.dump());
}

netlib::Expected<ImageRecord> load_record(const StoreLayout& layout, const std::string& id) {
    std::string path = layout.image_record(id);
    json j = json::parse(NETLIB_TRY(netlib::sys::read_file(path)), nullptr, false);
    try {
        if (j.is_discarded()) throw std::runtime_error("not JSON");
        return ImageRecord{.id = j.at("id").get<std::string>(),
                           .layers = j.at("layers").get<std::vector<std::string>>(),
                           .config = config_from(j.value("config", json::object())),
                           .size_bytes = j.value("size", std::int64_t{0}),
                           .created = j.value("created", "")};
    } catch (const std::exception& e) {
        return netlib::fail(netlib::Code::Decode,
                            "image record " + path + " is damaged: " + e.what());
    }
}

netlib::Expected<void> save_record(const StoreLayout& layout, const ImageRecord& rec) {
    json j{{"id", rec.id},
           {"layers", rec.layers},
           {"config", config_json(rec.config)},
           {"size", rec.size_bytes},
           {"created", rec.created}};
    return netlib::sys::write_file_atomic(layout.image_record(rec.id), j.dump(2) + "\n");
}

netlib::Expected<std::vector<ImageRecord>> load_all_records(const StoreLayout& layout) {
    std::vector<ImageRecord> out;
    std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(layout.images().c_str()), ::closedir);
    if (!dir) {
        if (errno == ENOENT) return out;
        return netlib::fail_errno(netlib::Code::Io, "open " + layout.images(), errno);
    }
    while (dirent* de = ::readdir(dir.get())) {
        std::string_view name = de->d_name;
        if (!name.ends_with(".json")) continue;  // skips write_file_atomic's temp files too
        out.push_back(
            NETLIB_TRY(load_record(layout, std::string(name.substr(0, name.size() - 5)))));
    }
    return out;
}

Image make_image(const StoreLayout& layout, const ImageRecord& rec, std::string name) {
    Image img{.name = std::move(name),
              .id = rec.id,
              .config = rec.config,
              .size_bytes = rec.size_bytes,
              .created = rec.created};
    for (auto it = rec.layers.rbegin(); it != rec.layers.rend(); ++it)
        img.layers.push_back(layout.layer_diff(*it));
    return img;
}

netlib::Expected<std::vector<std::string>> ids_with_prefix(const StoreLayout& layout,
                                                           const std::string& prefix) {
    std::vector<std::string> out;
    std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(layout.images().c_str()), ::closedir);
    if (!dir) {
        if (errno == ENOENT) return out;
        return netlib::fail_errno(netlib::Code::Io, "open " + layout.images(), errno);
    }
    while (dirent* de = ::readdir(dir.get())) {
        std::string_view name = de->d_name;
        if (name.ends_with(".json") && name.starts_with(prefix))
            out.emplace_back(name.substr(0, name.size() - 5));
    }
    return out;
}

netlib::Expected<NameIndex> load_names(const StoreLayout& layout) {
    auto text = netlib::sys::read_file(layout.names());
    if (!text) {
        if (text.error().sys_errno == ENOENT) return NameIndex{};
        return std::unexpected(text.error());
    }
    json j = json::parse(*text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return netlib::fail(netlib::Code::Decode,
                            layout.names() + " is damaged (not a JSON object)");
    NameIndex names;
    for (auto& [k, v] : j.items())
        if (v.is_string()) names[k] = v.get<std::string>();
    return names;
}

netlib::Expected<void> save_names(const StoreLayout& layout, const NameIndex& names) {
    return netlib::sys::write_file_atomic(layout.names(), json(names).dump(2) + "\n");
}

netlib::Expected<std::string> normalize_name(const std::string& name) {
    auto ok_char = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == '-' || c == '/' || c == ':' || c == '@';
    };
    if (name.empty() || name.size() > 255 || !std::all_of(name.begin(), name.end(), ok_char) ||
        name.front() == '/' || name.front() == '-')
        return netlib::fail(
            netlib::Code::InvalidConfig,
            "invalid image name \"" + name + "\" (expected [registry/]repository[:tag])");
    std::string out = name;
    auto colon = out.rfind(':');
    if (colon != std::string::npos && out.find('/', colon) == std::string::npos &&
        out.substr(colon) == ":latest")
        out.resize(colon);
    return out;
}

}  // namespace netrun::image
