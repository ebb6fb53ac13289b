#include "img_fixture.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "image/digest.hpp"

namespace imgtest {

namespace {

void must(bool ok, const std::string& what) {
    if (!ok) throw std::runtime_error(what + ": " + std::strerror(errno));
}

void mkdirs(const std::string& path) {
    for (std::size_t pos = 1;; ++pos) {
        pos = path.find('/', pos);
        ::mkdir(path.substr(0, pos).c_str(), 0755);
        if (pos == std::string::npos) break;
    }
}

std::string parent(const std::string& p) {
    return p.substr(0, p.rfind('/'));
}

void walk(const std::string& root, const std::string& rel, Tree& out) {
    std::string dir = rel.empty() ? root : root + "/" + rel;
    DIR* d = ::opendir(dir.c_str());
    must(d != nullptr, "opendir " + dir);
    std::vector<std::string> names;
    while (dirent* de = ::readdir(d))
        if (std::string n = de->d_name; n != "." && n != "..") names.push_back(n);
    ::closedir(d);
    for (const auto& n : names) {
        std::string r = rel.empty() ? n : rel + "/" + n;
        std::string full = root + "/" + r;
        struct stat st {};
        must(::lstat(full.c_str(), &st) == 0, "lstat " + full);
        Node node{
            .mode = static_cast<unsigned>(st.st_mode & 07777), .uid = st.st_uid, .gid = st.st_gid};
        if (S_ISREG(st.st_mode)) {
            node.type = 'f';
            node.data = read_all(full);
        } else if (S_ISDIR(st.st_mode)) {
            node.type = 'd';
            char v[16];
            ssize_t len = ::lgetxattr(full.c_str(), "trusted.overlay.opaque", v, sizeof v);
            if (len > 0) node.opaque.assign(v, static_cast<std::size_t>(len));
        } else if (S_ISLNK(st.st_mode)) {
            node.type = 'l';
            node.mode = 0;
            char buf[4096];
            ssize_t len = ::readlink(full.c_str(), buf, sizeof buf);
            node.data.assign(buf, static_cast<std::size_t>(len));
        } else if (S_ISCHR(st.st_mode)) {
            node.type = 'c';
            node.data = std::to_string(major(st.st_rdev)) + ":" + std::to_string(minor(st.st_rdev));
        } else if (S_ISFIFO(st.st_mode)) {
            node.type = 'p';
        }
        out[r] = node;
        if (S_ISDIR(st.st_mode)) walk(root, r, out);
    }
}

struct EntryFree {
    void operator()(archive_entry* e) const { archive_entry_free(e); }
};

}  // namespace

TmpDir::TmpDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/netrun-img-test-XXXXXX";
    must(::mkdtemp(tmpl.data()) != nullptr, "mkdtemp " + tmpl);
    path_ = tmpl;
}

TmpDir::~TmpDir() {
    // Unmount anything a failed test left mounted below us, then delete.
    std::string cmd =
        "grep -o ' " + path_ +
        "[^ ]*' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null; rm -rf '" +
        path_ + "'";
    (void)std::system(cmd.c_str());
}

void put_file(const std::string& path, const std::string& data, mode_t mode) {
    mkdirs(parent(path));
    std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
    must(::chmod(path.c_str(), mode) == 0, "chmod " + path);
}

void put_dir(const std::string& path, mode_t mode) {
    mkdirs(path);
    must(::chmod(path.c_str(), mode) == 0, "chmod " + path);
}

void put_symlink(const std::string& path, const std::string& target) {
    mkdirs(parent(path));
    must(::symlink(target.c_str(), path.c_str()) == 0, "symlink " + path);
}

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

Tree snapshot(const std::string& dir) {
    Tree t;
    walk(dir, "", t);
    return t;
}

Tree overlay_form(Tree t) {
    Tree out;
    for (auto& [path, node] : t) {
        auto slash = path.rfind('/');
        std::string dir = slash == std::string::npos ? "" : path.substr(0, slash);
        std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
        if (base == ".wh..wh..opq") {
            out[dir].opaque = "y";
            continue;
        }
        if (base.starts_with(".wh.")) {
            std::string target = (dir.empty() ? "" : dir + "/") + base.substr(4);
            out[target] = Node{.type = 'c', .mode = 0, .data = "0:0"};
            continue;
        }
        std::string keep_opaque = out.contains(path) ? out[path].opaque : "";
        out[path] = node;
        if (!keep_opaque.empty()) out[path].opaque = keep_opaque;
    }
    return out;
}

std::string diff_trees(const Tree& want, const Tree& got) {
    std::string d;
    auto show = [](const Node& n) {
        std::ostringstream s;
        s << n.type << " mode=" << std::oct << n.mode << std::dec << " uid=" << n.uid
          << " gid=" << n.gid
          << " data=" << (n.data.size() > 40 ? n.data.substr(0, 40) + "..." : n.data)
          << " opaque=" << n.opaque;
        return s.str();
    };
    for (const auto& [p, n] : want) {
        auto it = got.find(p);
        if (it == got.end())
            d += "missing " + p + "\n";
        else if (!(it->second == n))
            d += "differs " + p + ": want " + show(n) + ", got " + show(it->second) + "\n";
    }
    for (const auto& [p, n] : got)
        if (!want.contains(p)) d += "unexpected " + p + " (" + show(n) + ")\n";
    return d;
}

std::string tree_hash(const std::string& dir) {
    std::string all;
    for (const auto& [p, n] : snapshot(dir))
        all += p + '\0' + n.type + std::to_string(n.mode) + ':' + std::to_string(n.uid) + ':' +
               std::to_string(n.gid) + '\0' + n.data + '\0' + n.opaque + '\n';
    return sha256_of(all);
}

Tar::Tar(const std::string& path, bool gzip) : Tar(path, gzip ? Filter::Gzip : Filter::None) {}

Tar::Tar(const std::string& path, Filter filter) {
    archive* a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    if (filter == Filter::Gzip) archive_write_add_filter_gzip(a);
    if (filter == Filter::Zstd) archive_write_add_filter_zstd(a);
    if (filter == Filter::Xz) archive_write_add_filter_xz(a);
    if (archive_write_open_filename(a, path.c_str()) != ARCHIVE_OK)
        throw std::runtime_error("open " + path);
    a_ = a;
}

Tar::~Tar() {
    close();
}

void Tar::close() {
    if (!a_) return;
    archive_write_close(static_cast<archive*>(a_));
    archive_write_free(static_cast<archive*>(a_));
    a_ = nullptr;
}

namespace {
void write_entry(void* a_, const std::string& name, mode_t mode, const std::string& data,
                 const std::string& link, bool hard, dev_t rdev = 0, uid_t uid = 0, gid_t gid = 0) {
    auto* a = static_cast<archive*>(a_);
    std::unique_ptr<archive_entry, EntryFree> e(archive_entry_new());
    archive_entry_set_pathname(e.get(), name.c_str());
    archive_entry_set_mode(e.get(), mode);
    archive_entry_set_uid(e.get(), uid);
    archive_entry_set_gid(e.get(), gid);
    archive_entry_set_mtime(e.get(), 1700000000, 0);
    if (hard)
        archive_entry_set_hardlink(e.get(), link.c_str());
    else if (!link.empty())
        archive_entry_set_symlink(e.get(), link.c_str());
    if (rdev) archive_entry_set_rdev(e.get(), rdev);
    if (S_ISREG(mode) && !hard)
        archive_entry_set_size(e.get(), static_cast<la_int64_t>(data.size()));
    if (archive_write_header(a, e.get()) != ARCHIVE_OK)
        throw std::runtime_error("tar header " + name + ": " + archive_error_string(a));
    if (!data.empty()) archive_write_data(a, data.data(), data.size());
}
}  // namespace

Tar& Tar::tree(const std::string& src_dir) {
    Tree t = snapshot(src_dir);
    for (const auto& [p, n] : t) {
        std::string full = src_dir + "/" + p;
        switch (n.type) {
            case 'd':
                write_entry(a_, p, S_IFDIR | n.mode, "", "", false, 0, n.uid, n.gid);
                break;
            case 'f':
                write_entry(a_, p, S_IFREG | n.mode, n.data, "", false, 0, n.uid, n.gid);
                break;
            case 'l':
                write_entry(a_, p, S_IFLNK | 0777, "", n.data, false, 0, n.uid, n.gid);
                break;
            case 'p':
                write_entry(a_, p, S_IFIFO | n.mode, "", "", false, 0, n.uid, n.gid);
                break;
            default:
                throw std::runtime_error("unsupported node " + p);
        }
    }
    return *this;
}

Tar& Tar::file(const std::string& name, const std::string& data, mode_t mode) {
    write_entry(a_, name, S_IFREG | mode, data, "", false);
    return *this;
}
Tar& Tar::dir(const std::string& name, mode_t mode) {
    write_entry(a_, name, S_IFDIR | mode, "", "", false);
    return *this;
}
Tar& Tar::symlink(const std::string& name, const std::string& target) {
    write_entry(a_, name, S_IFLNK | 0777, "", target, false);
    return *this;
}
Tar& Tar::hardlink(const std::string& name, const std::string& target) {
    write_entry(a_, name, S_IFREG | 0644, "", target, true);
    return *this;
}
Tar& Tar::chardev(const std::string& name, unsigned maj, unsigned min) {
    write_entry(a_, name, S_IFCHR | 0600, "", "", false, makedev(maj, min));
    return *this;
}

std::string sha256_of(const std::string& data) {
    return netrun::image::sha256_hex(data);
}
std::string sha256_of_file(const std::string& path) {
    return sha256_of(read_all(path));
}

std::string sample_config(const std::vector<std::string>& diff_ids) {
    nlohmann::json j{{"architecture", "amd64"},
                     {"os", "linux"},
                     {"created", "2024-05-01T12:00:00Z"},
                     {"config",
                      {{"Env", {"PATH=/usr/bin:/bin", "GREETING=hi"}},
                       {"Entrypoint", {"/bin/entry"}},
                       {"Cmd", {"serve", "--port", "80"}},
                       {"WorkingDir", "/srv"},
                       {"User", "1000:1000"}}},
                     {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}}};
    return j.dump();
}

void make_docker_save(const std::string& out_dir, const std::vector<std::string>& layer_tars,
                      const std::string& config_json, const std::string& repo_tag, bool legacy) {
    put_dir(out_dir);
    std::string config_hex = sha256_of(config_json);
    std::string config_rel = legacy ? config_hex + ".json" : "blobs/sha256/" + config_hex;
    put_file(out_dir + "/" + config_rel, config_json);
    nlohmann::json layers = nlohmann::json::array();
    for (std::size_t i = 0; i < layer_tars.size(); ++i) {
        std::string data = read_all(layer_tars[i]);
        std::string rel =
            legacy ? "layer" + std::to_string(i) + "/layer.tar" : "blobs/sha256/" + sha256_of(data);
        put_file(out_dir + "/" + rel, data);
        layers.push_back(rel);
    }
    nlohmann::json manifest = nlohmann::json::array(
        {{{"Config", config_rel}, {"RepoTags", {repo_tag}}, {"Layers", layers}}});
    put_file(out_dir + "/manifest.json", manifest.dump());
    put_file(out_dir + "/repositories", "{}");
}

void make_oci_layout(const std::string& out_dir, const std::vector<std::string>& layer_tars,
                     const std::string& config_json, const std::string& ref_name,
                     bool gzip_media_type) {
    put_dir(out_dir);
    put_file(out_dir + "/oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
    auto blob = [&](const std::string& data) {
        std::string hex = sha256_of(data);
        put_file(out_dir + "/blobs/sha256/" + hex, data);
        return nlohmann::json{{"digest", "sha256:" + hex}, {"size", data.size()}};
    };
    nlohmann::json manifest{{"schemaVersion", 2},
                            {"mediaType", "application/vnd.oci.image.manifest.v1+json"}};
    manifest["config"] = blob(config_json);
    manifest["config"]["mediaType"] = "application/vnd.oci.image.config.v1+json";
    manifest["layers"] = nlohmann::json::array();
    for (const auto& t : layer_tars) {
        auto d = blob(read_all(t));
        d["mediaType"] = gzip_media_type ? "application/vnd.oci.image.layer.v1.tar+gzip"
                                         : "application/vnd.oci.image.layer.v1.tar";
        manifest["layers"].push_back(d);
    }
    auto mdesc = blob(manifest.dump());
    mdesc["mediaType"] = "application/vnd.oci.image.manifest.v1+json";
    mdesc["annotations"] = {{"org.opencontainers.image.ref.name", ref_name}};
    mdesc["platform"] = {{"os", "linux"}, {"architecture", "amd64"}};
    // An attestation-like entry first: must be skipped as not runnable.
    auto att = blob(
        R"({"schemaVersion":2,"config":{"digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000"},"layers":[]})");
    att["mediaType"] = "application/vnd.oci.image.manifest.v1+json";
    att["platform"] = {{"os", "unknown"}, {"architecture", "unknown"}};
    nlohmann::json index{{"schemaVersion", 2}, {"manifests", {att, mdesc}}};
    put_file(out_dir + "/index.json", index.dump());
}

void tar_dir(const std::string& dir, const std::string& tar_path) {
    Tar t(tar_path);
    t.tree(dir);
    t.close();
}

}  // namespace imgtest
