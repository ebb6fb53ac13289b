// Docker and OCI image configs share the fields netrun uses (OCI image-spec config.md).
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "image/errors.hpp"
#include "image/image_source.hpp"

namespace netrun::image {

namespace {

using nlohmann::json;

// Absent and null both mean "not set" in these documents.
std::vector<std::string> strings(const json& obj, const char* key) {
    std::vector<std::string> out;
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return out;
    if (!it->is_array())
        throw std::invalid_argument(std::string(key) + " is not a list of strings");
    for (const auto& s : *it) out.push_back(s.get<std::string>());
    return out;
}

std::string text(const json& obj, const char* key) {
    auto it = obj.find(key);
    return it == obj.end() || it->is_null() ? std::string{} : it->get<std::string>();
}

}  // namespace

netlib::Expected<void> parse_image_config(const std::string& json_text, ImageSource& out) {
    json doc = json::parse(json_text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        return image_fail(ImageCode::BadArchive, "image config is not a JSON object");
    try {
        out.created = text(doc, "created");
        auto cfg = doc.find("config");
        if (cfg == doc.end() || cfg->is_null()) return {};
        out.config = ImageConfig{.env = strings(*cfg, "Env"),
                                 .entrypoint = strings(*cfg, "Entrypoint"),
                                 .cmd = strings(*cfg, "Cmd"),
                                 .workdir = text(*cfg, "WorkingDir"),
                                 .user = text(*cfg, "User")};
    } catch (const std::exception& e) {  // json type errors and our own
        return image_fail(ImageCode::BadArchive, std::string("image config: ") + e.what());
    }
    return {};
}

}  // namespace netrun::image
