#include "image/whiteout.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <cerrno>

#include "image/errors.hpp"
#include "image/fs_tree.hpp"

namespace netrun::image {

namespace {

std::pair<std::string, std::string> split_parent(const std::string& rel) {
    auto slash = rel.rfind('/');
    if (slash == std::string::npos) return {"", rel};
    return {rel.substr(0, slash), rel.substr(slash + 1)};
}

}  // namespace

netlib::Expected<void> make_whiteout(int layer_fd, const std::string& rel) {
    auto [parent, name] = split_parent(rel);
    auto dir = open_dir_beneath(layer_fd, parent, true);
    if (!dir) return image_fail(ImageCode::BadArchive, "whiteout " + rel + ": " + dir.error().msg);
    if (::mknodat(dir->get(), name.c_str(), S_IFCHR | 0, ::makedev(0, 0)) != 0) {
        if (errno == EEXIST)
            return image_fail(ImageCode::BadArchive, "layer both adds and deletes \"" + rel + "\"");
        return netlib::fail_errno(netlib::Code::Io, "create whiteout " + rel, errno);
    }
    return {};
}

netlib::Expected<void> make_opaque(int layer_fd, const std::string& rel_dir) {
    auto dir = open_dir_beneath(layer_fd, rel_dir, true);
    if (!dir)
        return image_fail(ImageCode::BadArchive,
                          "opaque directory " + rel_dir + ": " + dir.error().msg);
    if (::fsetxattr(dir->get(), "trusted.overlay.opaque", "y", 1, 0) != 0)
        return netlib::fail_errno(netlib::Code::Io,
                                  "set trusted.overlay.opaque on " +
                                      (rel_dir.empty() ? "/" : rel_dir) +
                                      " (needs root and a filesystem with trusted xattrs)",
                                  errno);
    return {};
}

}  // namespace netrun::image
