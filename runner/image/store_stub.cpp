// Temporary stub so the other runner libraries can link; replaced by the real store.
#include <cstdlib>

#include "image/image_store.hpp"

namespace netrun::image {

namespace {
netlib::Error not_implemented() { return {static_cast<int>(netlib::Code::Internal), "image store: not implemented", {}, 0}; }
}  // namespace

std::string default_root() {
    const char* env = std::getenv("NETRUN_ROOT");
    return env && *env ? env : "/var/lib/netrun";
}

Store::Store(std::string root) : root_(std::move(root)) {}

netlib::Expected<Image> Store::import(const std::string&, const std::string&) { return std::unexpected(not_implemented()); }
netlib::Expected<Image> Store::resolve(const std::string&) { return std::unexpected(not_implemented()); }
netlib::Expected<std::vector<Image>> Store::list() { return std::unexpected(not_implemented()); }
netlib::Expected<void> Store::remove(const std::string&) { return std::unexpected(not_implemented()); }
netlib::Expected<Rootfs> Store::prepare_rootfs(const Image&, const std::string&, bool) { return std::unexpected(not_implemented()); }
netlib::Expected<void> Store::remove_rootfs(const std::string&) { return std::unexpected(not_implemented()); }

}  // namespace netrun::image
