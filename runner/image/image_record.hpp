#pragma once
// On-disk records: images/<id>.json (one per image) and names.json (name -> id).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "image/image_store.hpp"
#include "image/store_layout.hpp"
#include "netlib/error.hpp"

namespace netrun::image {

struct ImageRecord {
    std::string id;
    std::vector<std::string> layers;  // sha256 hex, bottom first (archive order)
    ImageConfig config;
    std::int64_t size_bytes = 0;
    std::string created;
};

using NameIndex = std::map<std::string, std::string>;  // normalized name -> image id

// Identity of an image without a config blob: the hash of what makes it run the same.
std::string record_content_id(const ImageRecord& rec);

netlib::Expected<ImageRecord> load_record(const StoreLayout& layout, const std::string& id);
netlib::Expected<void> save_record(const StoreLayout& layout, const ImageRecord& rec);
netlib::Expected<std::vector<ImageRecord>> load_all_records(const StoreLayout& layout);

netlib::Expected<NameIndex> load_names(const StoreLayout& layout);  // missing file = empty
netlib::Expected<void> save_names(const StoreLayout& layout, const NameIndex& names);

// The Image the API hands out: layer digests become lower dirs, top first.
Image make_image(const StoreLayout& layout, const ImageRecord& rec, std::string name);

// Ids (file names under images/) starting with prefix.
netlib::Expected<std::vector<std::string>> ids_with_prefix(const StoreLayout& layout,
                                                           const std::string& prefix);

// "repo/name:latest" and "repo/name" are one name; names are refused when they could not be
// a docker reference (empty, too long, odd characters).
netlib::Expected<std::string> normalize_name(const std::string& name);

}  // namespace netrun::image
