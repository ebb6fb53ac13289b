// OCI image layout (image-spec image-layout.md): index.json -> manifest (or a nested image
// index, e.g. multi-platform) -> config + layers, every blob at blobs/<alg>/<hex>.
#include <nlohmann/json.hpp>

#include "image/digest.hpp"
#include "image/errors.hpp"
#include "image/image_source.hpp"

namespace netrun::image {

namespace {

using nlohmann::json;

constexpr std::string_view kIndexType = "application/vnd.oci.image.index.v1+json";
constexpr std::string_view kDockerListType =
    "application/vnd.docker.distribution.manifest.list.v2+json";
constexpr int kMaxIndexDepth = 4;

struct Blob {
    std::string hex, text;
};

// Reads a (small, JSON) blob by descriptor and checks it against its digest.
netlib::Expected<Blob> read_blob(const std::string& dir, const json& desc) {
    std::string hex = NETLIB_TRY(digest_hex(desc.at("digest").get<std::string>()));
    std::string text = NETLIB_TRY(read_layout_json(dir, "blobs/sha256/" + hex));
    if (sha256_hex(text) != hex)
        return image_fail(ImageCode::BadArchive,
                          dir + ": blob sha256:" + hex + " does not match its digest");
    return Blob{hex, std::move(text)};
}

std::string media_type(const json& j) {
    return j.contains("mediaType") ? j["mediaType"].get<std::string>() : "";
}

std::string ref_name(const json& desc) {
    auto ann = desc.find("annotations");
    if (ann == desc.end()) return {};
    for (const char* key : {"io.containerd.image.name", "org.opencontainers.image.ref.name"})
        if (ann->contains(key)) return (*ann)[key].get<std::string>();
    return {};
}

// Attestations and other non-runnable entries have platform unknown/unknown; prefer this
// machine's platform when the index says.
bool runnable(const json& desc) {
    auto p = desc.find("platform");
    if (p == desc.end()) return true;
    return p->value("os", "linux") == "linux" && p->value("architecture", "amd64") == "amd64";
}

netlib::Expected<json> pick(const json& manifests, const std::string& wanted,
                            const std::string& dir) {
    if (!manifests.is_array() || manifests.empty())
        return image_fail(ImageCode::BadArchive, dir + ": image index lists no manifests");
    for (const auto& d : manifests) {
        std::string ref = ref_name(d);
        if (!wanted.empty() && runnable(d) && (ref == wanted || wanted.ends_with(":" + ref)))
            return d;
    }
    for (const auto& d : manifests)
        if (runnable(d)) return d;
    return image_fail(ImageCode::BadArchive, dir + ": no linux/amd64 image in the index");
}

bool is_layer_type(std::string_view type) {
    return type.empty() || type.find(".tar") != std::string_view::npos || type.ends_with("tar");
}

netlib::Expected<ImageSource> read_manifest(const std::string& dir, const json& desc,
                                            const std::string& wanted, int depth) {
    auto blob = NETLIB_TRY(read_blob(dir, desc));
    json doc = json::parse(blob.text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        return image_fail(ImageCode::BadArchive,
                          dir + ": manifest sha256:" + blob.hex + " is not JSON");
    std::string type = media_type(doc).empty() ? media_type(desc) : media_type(doc);
    if (type == kIndexType || type == kDockerListType || doc.contains("manifests")) {
        if (depth >= kMaxIndexDepth)
            return image_fail(ImageCode::BadArchive, dir + ": image indexes nested too deep");
        auto next = NETLIB_TRY(pick(doc["manifests"], wanted, dir));
        return read_manifest(dir, next, wanted, depth + 1);
    }
    ImageSource src;
    auto config = NETLIB_TRY(read_blob(dir, doc.at("config")));
    src.config_hex = config.hex;
    NETLIB_TRYV(parse_image_config(config.text, src));
    src.ref_name = ref_name(desc);
    for (const auto& l : doc.at("layers")) {
        if (!is_layer_type(media_type(l)))
            return image_fail(ImageCode::BadArchive,
                              dir + ": layer media type " + media_type(l) + " is not a tar");
        std::string hex = NETLIB_TRY(digest_hex(l.at("digest").get<std::string>()));
        src.layers.push_back(
            {.path = NETLIB_TRY(layout_file(dir, "blobs/sha256/" + hex)), .expected_hex = hex});
    }
    return src;
}

}  // namespace

netlib::Expected<ImageSource> read_oci_layout(const std::string& dir,
                                              const std::string& wanted_name) {
    json index = json::parse(NETLIB_TRY(read_layout_json(dir, "index.json")), nullptr, false);
    if (index.is_discarded() || !index.is_object())
        return image_fail(ImageCode::BadArchive, dir + ": index.json is not a JSON object");
    try {
        auto desc = NETLIB_TRY(pick(index.value("manifests", json::array()), wanted_name, dir));
        auto src = NETLIB_TRY(read_manifest(dir, desc, wanted_name, 0));
        // A bare tag ("latest") is not a usable image name.
        if (src.ref_name.find_first_of(":/") == std::string::npos) src.ref_name.clear();
        return src;
    } catch (const json::exception& e) {
        return image_fail(ImageCode::BadArchive, dir + ": OCI layout: " + e.what());
    }
}

}  // namespace netrun::image
