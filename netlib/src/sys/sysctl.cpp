#include "netlib/sys/sysctl.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "netlib/sys/fd.hpp"

namespace netlib::sys {

namespace {
std::string sysctl_path(std::string_view key) {
    std::string p = "/proc/sys/";
    // Interface names may contain '.', so only dotted keys without '/' are converted.
    if (key.find('/') == std::string_view::npos) {
        std::string k(key);
        std::replace(k.begin(), k.end(), '.', '/');
        p += k;
    } else {
        p += key;
    }
    return p;
}
}  // namespace

Expected<std::string> sysctl_get(std::string_view key) {
    auto path = sysctl_path(key);
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return fail_errno(Code::Kernel, "read sysctl " + std::string(key), errno);
    char buf[256];
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) return fail_errno(Code::Kernel, "read sysctl " + std::string(key), errno);
    std::string v(buf, static_cast<std::size_t>(n));
    while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
    return v;
}

Expected<> sysctl_set(std::string_view key, std::string_view value) {
    if (auto cur = sysctl_get(key); cur && *cur == value) return {};
    auto path = sysctl_path(key);
    Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) return fail_errno(Code::Kernel, "write sysctl " + std::string(key), errno);
    if (::write(fd.get(), value.data(), value.size()) < 0)
        return fail_errno(Code::Kernel,
                          "write sysctl " + std::string(key) + "=" + std::string(value), errno);
    return {};
}

}  // namespace netlib::sys
