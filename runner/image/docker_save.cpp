// `docker save` archives: manifest.json = [{"Config", "RepoTags", "Layers"}], layer paths
// either "<id>/layer.tar" (before Docker 25) or "blobs/sha256/<hex>" (OCI-shaped, since 25).
#include <algorithm>
#include <nlohmann/json.hpp>

#include "image/digest.hpp"
#include "image/errors.hpp"
#include "image/image_source.hpp"

namespace netrun::image {

namespace {

using nlohmann::json;

// Blob paths name their digest; legacy paths name none (the blob is hashed, not checked).
std::string digest_in_path(const std::string& rel) {
    constexpr std::string_view kBlobs = "blobs/sha256/";
    if (!rel.starts_with(kBlobs)) return {};
    auto hex = digest_hex("sha256:" + rel.substr(kBlobs.size()));
    return hex ? *hex : std::string{};
}

const json& pick(const json& manifest, const std::string& wanted) {
    for (const auto& img : manifest) {
        auto tags = img.find("RepoTags");
        if (tags == img.end() || !tags->is_array()) continue;
        for (const auto& t : *tags)
            if (t.is_string() &&
                (t.get<std::string>() == wanted || t.get<std::string>() == wanted + ":latest"))
                return img;
    }
    return manifest.front();
}

netlib::Expected<ImageSource> read_entry(const std::string& dir, const json& img) {
    ImageSource src;
    std::string config_rel = img.at("Config").get<std::string>();
    std::string config = NETLIB_TRY(read_layout_json(dir, config_rel));
    src.config_hex = sha256_hex(config);
    if (auto want = digest_in_path(config_rel); !want.empty() && want != src.config_hex)
        return image_fail(ImageCode::BadArchive,
                          dir + ": config " + config_rel + " does not match its digest");
    NETLIB_TRYV(parse_image_config(config, src));
    if (auto tags = img.find("RepoTags"); tags != img.end() && tags->is_array() && !tags->empty())
        src.ref_name = tags->front().get<std::string>();
    for (const auto& l : img.at("Layers")) {
        std::string rel = l.get<std::string>();
        src.layers.push_back(
            {.path = NETLIB_TRY(layout_file(dir, rel)), .expected_hex = digest_in_path(rel)});
    }
    return src;
}

}  // namespace

netlib::Expected<ImageSource> read_docker_save(const std::string& dir,
                                               const std::string& wanted_name) {
    json manifest = json::parse(NETLIB_TRY(read_layout_json(dir, "manifest.json")), nullptr, false);
    if (manifest.is_discarded() || !manifest.is_array() || manifest.empty())
        return image_fail(ImageCode::BadArchive,
                          dir + ": manifest.json is not a non-empty JSON array");
    try {
        return read_entry(dir, pick(manifest, wanted_name));
    } catch (const json::exception& e) {
        return image_fail(ImageCode::BadArchive, dir + ": manifest.json: " + e.what());
    }
}

}  // namespace netrun::image
