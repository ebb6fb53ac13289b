#include "net/net_defaults.hpp"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace netrun::net {

namespace {

bool is_dir(const std::string& p) {
    struct stat st{};
    return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// exe_dir comes from /proc/self/exe, which has no symlinks, so ".." can be resolved lexically.
std::string beside_exe(const std::string& exe_dir, std::string_view rel) {
    return (std::filesystem::path(exe_dir) / rel).lexically_normal().string();
}

void push_unique(std::vector<std::string>& v, std::string s) {
    if (!s.empty() && std::ranges::find(v, s) == v.end()) v.push_back(std::move(s));
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::ranges::all_of(s, [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace

std::string executable_dir() {
    char buf[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return {};
    std::string p(buf, static_cast<std::size_t>(n));
    auto slash = p.rfind('/');
    return slash == std::string::npos ? std::string{} : p.substr(0, slash);
}

std::vector<std::string> split_path_list(std::string_view list) {
    std::vector<std::string> out;
    while (!list.empty()) {
        auto colon = list.find(':');
        push_unique(out, std::string(list.substr(0, colon)));
        list = colon == std::string_view::npos ? std::string_view{} : list.substr(colon + 1);
    }
    return out;
}

std::vector<std::string> default_cni_path(const char* env_cni_path, const std::string& exe_dir) {
    if (env_cni_path && *env_cni_path) return split_path_list(env_cni_path);
    std::vector<std::string> out;
    if (!exe_dir.empty()) {
        std::string installed = beside_exe(exe_dir, "../lib/cni");
        push_unique(out, is_dir(installed) ? installed : exe_dir);
    }
    push_unique(out, "/opt/cni/bin");
    push_unique(out, "/usr/lib/cni");
    return out;
}

std::string user_conf_dir(const char* env_conf_dir) {
    return env_conf_dir && *env_conf_dir ? std::string(env_conf_dir) : std::string("/etc/cni/net.d");
}

std::vector<std::string> default_conf_dirs(const std::string& exe_dir, std::string_view source_conf_dir,
                                           const std::string& user_dir) {
    std::vector<std::string> out{user_dir};
    if (!exe_dir.empty()) push_unique(out, beside_exe(exe_dir, "../share/netrun/conf"));
    push_unique(out, std::string(source_conf_dir));
    return out;
}

netlib::Expected<std::string> container_id_from_netns(std::string_view netns) {
    std::string id;
    constexpr std::string_view kProc = "/proc/", kNsNet = "/ns/net";
    if (netns.starts_with(kProc) && netns.ends_with(kNsNet) && netns.size() > kProc.size() + kNsNet.size() &&
        all_digits(netns.substr(kProc.size(), netns.size() - kProc.size() - kNsNet.size()))) {
        id = "pid-" + std::string(netns.substr(kProc.size(), netns.size() - kProc.size() - kNsNet.size()));
    } else {
        while (netns.ends_with('/')) netns.remove_suffix(1);
        auto slash = netns.rfind('/');
        id = std::string(slash == std::string_view::npos ? netns : netns.substr(slash + 1));
    }
    bool ok = !id.empty() && std::isalnum(static_cast<unsigned char>(id[0])) &&
              std::ranges::all_of(id, [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '.' || c == '-'; });
    if (!ok)
        return netlib::fail(netlib::Code::InvalidConfig, "cannot derive a container ID from netns \"" +
                                                             std::string(netns) + "\"; pass --id ID");
    return id;
}

}  // namespace netrun::net
