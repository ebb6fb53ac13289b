#pragma once
// What an import reads: the layer blobs of one image (bottom first) and its config, found
// in a plain rootfs tar, a `docker save` archive or an OCI image layout (dir or tar).
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "image/image_store.hpp"
#include "netlib/error.hpp"

namespace netrun::image {

struct LayerBlob {
    std::string path;                      // file holding the layer tar ...
    std::span<const unsigned char> bytes;  // ... or, when path is empty, the tar in memory
    std::string expected_hex;         // sha256 the blob must have; "" when the format names none
    std::string_view name = "layer";  // shown for an in-memory blob
    std::string label() const;        // path or name, for messages
};

struct ImageSource {
    std::vector<LayerBlob> layers;  // bottom first
    ImageConfig config;
    std::string created;     // RFC 3339, "" if unknown
    std::string config_hex;  // sha256 of the config blob (the image id); "" for a rootfs tar
    std::string ref_name;    // name recorded in the archive ("" if none)
};

enum class SourceKind { RootfsTar, DockerSave, OciLayout };

// Looks at names only: a directory or tar holding manifest.json is a docker save, one
// holding index.json an OCI layout, any other tar a root filesystem. Not-a-tar is an error.
netlib::Expected<SourceKind> classify_archive(const std::string& path);
netlib::Expected<SourceKind> classify_dir(const std::string& dir);

// Parse an unpacked layout directory. wanted_name picks among several images in a docker
// save archive (by RepoTags) or an OCI index (by ref name); otherwise the first is taken.
netlib::Expected<ImageSource> read_docker_save(const std::string& dir,
                                               const std::string& wanted_name);
netlib::Expected<ImageSource> read_oci_layout(const std::string& dir,
                                              const std::string& wanted_name);

// Docker / OCI image config JSON ({"config": {Env, Entrypoint, Cmd, WorkingDir, User}, "created"}).
netlib::Expected<void> parse_image_config(const std::string& json_text, ImageSource& out);

// Blob inside a layout directory: rel must stay inside dir even after symlinks are resolved,
// so a crafted archive cannot make the import read host files.
netlib::Expected<std::string> layout_file(const std::string& dir, const std::string& rel);
// layout_file + read, refusing anything over max_bytes (JSON documents are small).
netlib::Expected<std::string> read_layout_json(const std::string& dir, const std::string& rel);

}  // namespace netrun::image
