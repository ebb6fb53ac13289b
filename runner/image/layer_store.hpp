#pragma once
// Content-addressed layers: layers/<sha256 hex>/{diff,size}. A layer is unpacked into the
// import's staging dir and renamed into place under the store lock, so a layer directory
// is either complete or absent, and two imports of one layer never write the same tree.
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "image/image_source.hpp"
#include "image/store_layout.hpp"
#include "netlib/error.hpp"

namespace netrun::image {

struct StagedLayer {
    std::string hex;
    std::string staged;  // staging dir holding diff/ + size; "" when the store already had it
};

// Hashes the blob, checks it against the expected digest, and unpacks it into staging_dir
// unless the store already has that layer.
netlib::Expected<StagedLayer> stage_layer(const StoreLayout& layout, const LayerBlob& blob,
                                          const std::string& staging_dir);

// Flushes staged layers to disk (syncfs) before they are renamed into place: a rename of a
// directory does not order its files' data, so a crash could otherwise leave a "complete"
// layer with empty files.
netlib::Expected<void> sync_staging(const std::string& staging_dir);

// Under the store lock: moves a staged layer into place, or re-stages one that disappeared
// (removed by a concurrent rmi) since stage_layer saw it.
netlib::Expected<void> commit_layer(const StoreLayout& layout, const StagedLayer& layer,
                                    const LayerBlob& blob, const std::string& staging_dir);

netlib::Expected<std::int64_t> layer_size(const StoreLayout& layout, const std::string& hex);

// Under the store lock: removes every layer not in keep.
netlib::Expected<void> remove_unreferenced_layers(const StoreLayout& layout,
                                                  const std::set<std::string>& keep);

}  // namespace netrun::image
