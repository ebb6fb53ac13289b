#pragma once
// Test helpers: a throwaway directory, file writing, and fake CNI plugins (shell scripts)
// that log what they receive, so chains run through the real exec path without root.
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace testutil {

class TempDir {
public:
    TempDir() {
        char tmpl[] = "/tmp/netrun-rt-XXXXXX";
        path_ = ::mkdtemp(tmpl);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }
    std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

private:
    std::string path_;
};

inline void write(const std::string& path, const std::string& data, int mode = 0644) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
    ::chmod(path.c_str(), static_cast<mode_t>(mode));
}

inline std::string read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline std::vector<std::string> lines(const std::string& path) {
    std::vector<std::string> out;
    std::ifstream in(path);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

inline bool exists(const std::string& path) {
    struct stat st{};
    return ::lstat(path.c_str(), &st) == 0;
}

inline int mode_of(const std::string& path) {
    struct stat st{};
    ::stat(path.c_str(), &st);
    return static_cast<int>(st.st_mode & 07777);
}

// A fake plugin named `name` in `dir`. Each call appends
//   "<name> <CNI_COMMAND> <CNI_CONTAINERID> <CNI_NETNS> <CNI_IFNAME> <CNI_ARGS> <CNI_PATH>"
// to <dir>/calls and its stdin to <dir>/<name>.<COMMAND>.jsonl. If <dir>/<name>.<COMMAND>.fail
// exists its content is printed and the plugin exits 1; on ADD it prints <dir>/<name>.result.
inline void fake_plugin(const std::string& dir, const std::string& name) {
    std::string d = dir;
    write(dir + "/" + name,
          "#!/bin/sh\n"
          "in=$(cat)\n"
          "echo \"" + name + " $CNI_COMMAND $CNI_CONTAINERID $CNI_NETNS $CNI_IFNAME $CNI_ARGS $CNI_PATH\" >> " + d + "/calls\n"
          "printf '%s\\n' \"$in\" >> " + d + "/" + name + ".$CNI_COMMAND.jsonl\n"
          "if [ -f " + d + "/" + name + ".$CNI_COMMAND.fail ]; then cat " + d + "/" + name + ".$CNI_COMMAND.fail; exit 1; fi\n"
          "if [ \"$CNI_COMMAND\" = ADD ]; then cat " + d + "/" + name + ".result; fi\n"
          "exit 0\n",
          0755);
}

}  // namespace testutil
