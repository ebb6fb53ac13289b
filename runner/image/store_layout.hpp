#pragma once
// Paths inside the store root (see image_store.hpp for the layout).
#include <string>

namespace netrun::image {

struct StoreLayout {
    std::string root;

    std::string layers() const { return root + "/layers"; }
    std::string layer(const std::string& hex) const { return layers() + "/" + hex; }
    // The unpacked tree, an overlay lower dir; beside it "size" (bytes of file content).
    std::string layer_diff(const std::string& hex) const { return layer(hex) + "/diff"; }
    std::string images() const { return root + "/images"; }
    std::string image_record(const std::string& id) const { return images() + "/" + id + ".json"; }
    std::string names() const { return root + "/names.json"; }
    std::string tmp() const { return root + "/tmp"; }
    std::string containers() const { return root + "/containers"; }
    std::string container(const std::string& id) const { return containers() + "/" + id; }
    std::string lock() const { return root + "/lock"; }
};

}  // namespace netrun::image
