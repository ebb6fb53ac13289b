#pragma once
// Shorthand for failing with one of the image store's codes (image_store.hpp: ImageCode).
#include <string>

#include "image/image_store.hpp"
#include "netlib/error.hpp"

namespace netrun::image {

inline std::unexpected<netlib::Error> image_fail(ImageCode code, std::string msg) {
    return std::unexpected(netlib::Error{static_cast<int>(code), std::move(msg), {}, 0});
}

}  // namespace netrun::image
