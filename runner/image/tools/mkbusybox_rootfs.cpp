// Build tool: writes the default image's rootfs tar from Debian's busybox-static.
//   mkbusybox_rootfs BUSYBOX OUT.tar
// OUT.tar.sha256 gets the tar's sha256 (hex): the binary compares it with the stored
// netrun/busybox layer to notice a newer built-in image without hashing 2 MB at each start.
// The tar is reproducible (fixed owners and mtime, sorted entries), so the layer digest and
// image id only change when busybox or this file does.
#include <archive.h>
#include <archive_entry.h>
#include <nettle/sha2.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "netlib/sys/files.hpp"
#include "netlib/sys/spawn.hpp"

namespace {

constexpr time_t kMtime = 1704067200;  // 2024-01-01T00:00:00Z

constexpr std::string_view kPasswd =
    "root:x:0:0:root:/root:/bin/sh\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
constexpr std::string_view kGroup =
    "root:x:0:\n"
    "nogroup:x:65534:\n";
// Placeholders: the runtime writes the container's own at start.
constexpr std::string_view kHosts =
    "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";
constexpr std::string_view kIndexHtml = "hello from netrun\n";

struct Entry {
    std::string path;
    mode_t mode;       // with file type
    std::string data;  // contents, or symlink target
};

struct ArchiveWriteFree {
    void operator()(archive* a) const { archive_write_free(a); }
};

bool write_entry(archive* a, const Entry& e) {
    std::unique_ptr<archive_entry, void (*)(archive_entry*)> ae(archive_entry_new(),
                                                                archive_entry_free);
    archive_entry_set_pathname(ae.get(), e.path.c_str());
    archive_entry_set_mode(ae.get(), e.mode);
    archive_entry_set_uid(ae.get(), 0);
    archive_entry_set_gid(ae.get(), 0);
    archive_entry_set_mtime(ae.get(), kMtime, 0);
    if (S_ISLNK(e.mode)) archive_entry_set_symlink(ae.get(), e.data.c_str());
    if (S_ISREG(e.mode)) archive_entry_set_size(ae.get(), static_cast<la_int64_t>(e.data.size()));
    if (archive_write_header(a, ae.get()) != ARCHIVE_OK) return false;
    if (S_ISREG(e.mode) && archive_write_data(a, e.data.data(), e.data.size()) !=
                               static_cast<la_ssize_t>(e.data.size()))
        return false;
    return true;
}

std::string sha256_hex(const std::string& data) {
    sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, data.size(), reinterpret_cast<const std::uint8_t*>(data.data()));
    std::uint8_t d[SHA256_DIGEST_SIZE];
    sha256_digest(&ctx, sizeof d, d);
    std::string hex;
    for (auto b : d) {
        hex.push_back("0123456789abcdef"[b >> 4]);
        hex.push_back("0123456789abcdef"[b & 0xf]);
    }
    return hex;
}

int die(const std::string& msg) {
    std::fprintf(stderr, "mkbusybox_rootfs: %s\n", msg.c_str());
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) return die("usage: mkbusybox_rootfs BUSYBOX OUT.tar");
    std::string busybox_path = argv[1], out = argv[2];
    auto binary = netlib::sys::read_file(busybox_path);
    if (!binary) return die(binary.error().msg);
    auto listed = netlib::sys::spawn_capture({busybox_path, "--list-full"}, {}, "");
    if (!listed || listed->exit_status != 0)
        return die(busybox_path + " --list-full failed (is it busybox-static?)");

    std::vector<Entry> entries;
    std::set<std::string> dirs = {"bin", "dev", "etc",     "proc",     "root", "sbin", "sys",
                                  "tmp", "usr", "usr/bin", "usr/sbin", "var",  "www"};
    for (const auto& d : dirs)
        entries.push_back({d,
                           static_cast<mode_t>(S_IFDIR | (d == "tmp"    ? 01777
                                                          : d == "root" ? 0700
                                                                        : 0755)),
                           {}});
    entries.push_back({"bin/busybox", S_IFREG | 0755, std::move(*binary)});
    std::string list = listed->out;
    for (std::size_t pos = 0; pos < list.size();) {
        std::size_t nl = list.find('\n', pos);
        std::string applet = list.substr(pos, nl - pos);
        pos = nl == std::string::npos ? list.size() : nl + 1;
        // Applets in the directories above only ("linuxrc" at the root is an initrd relic).
        auto slash = applet.rfind('/');
        if (applet.empty() || applet == "bin/busybox" || slash == std::string::npos ||
            !dirs.contains(applet.substr(0, slash)))
            continue;
        entries.push_back({applet, S_IFLNK | 0777, "/bin/busybox"});
    }
    entries.push_back({"etc/passwd", S_IFREG | 0644, std::string(kPasswd)});
    entries.push_back({"etc/group", S_IFREG | 0644, std::string(kGroup)});
    entries.push_back({"etc/hosts", S_IFREG | 0644, std::string(kHosts)});
    entries.push_back({"etc/hostname", S_IFREG | 0644, "netrun\n"});
    entries.push_back({"etc/resolv.conf", S_IFREG | 0644, ""});
    entries.push_back({"www/index.html", S_IFREG | 0644, std::string(kIndexHtml)});
    // Directories sort before their contents.
    std::stable_sort(entries.begin(), entries.end(),
                     [](const Entry& a, const Entry& b) { return a.path < b.path; });

    std::unique_ptr<archive, ArchiveWriteFree> a(archive_write_new());
    std::string tmp = out + ".tmp";
    if (archive_write_set_format_pax_restricted(a.get()) != ARCHIVE_OK ||
        archive_write_open_filename(a.get(), tmp.c_str()) != ARCHIVE_OK)
        return die("open " + tmp + ": " + archive_error_string(a.get()));
    for (const auto& e : entries)
        if (!write_entry(a.get(), e))
            return die("write " + e.path + ": " + archive_error_string(a.get()));
    if (archive_write_close(a.get()) != ARCHIVE_OK)
        return die("close " + tmp + ": " + archive_error_string(a.get()));
    auto written = netlib::sys::read_file(tmp);
    if (!written) return die(written.error().msg);
    auto digest = netlib::sys::write_file_atomic(out + ".sha256", sha256_hex(*written));
    if (!digest) return die(digest.error().msg);
    if (std::rename(tmp.c_str(), out.c_str()) != 0) return die("rename " + tmp + " to " + out);
    return 0;
}
