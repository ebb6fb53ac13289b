#pragma once
// container-join: Docker's --net=container:NAME as a CNI plugin. ADD bind-mounts the target
// container's network namespace over CNI_NETNS; DEL undoes only that bind.
#include <optional>
#include <string>
#include <sys/types.h>

#include "netlib/cni/skel.hpp"

namespace container_join {

struct Config {
    std::string target;      // resolved netns path of the container to join
    std::string record_dir;  // where our bindings are recorded
};

netlib::Expected<Config> parse_config(const netlib::cni::Request& req);

// Identity of a network namespace file: the nsfs inode behind a path.
struct NsId {
    dev_t dev = 0;
    ino_t ino = 0;
    friend bool operator==(const NsId&, const NsId&) = default;
};

// What ADD did, so DEL/CHECK/GC act only on our own binding.
struct Record {
    std::string target;
    std::string netns;
    NsId target_id;
    std::string network, container_id, ifname;  // the attachment, for GC
};

std::string record_path(const Config& cfg, const netlib::cni::Request& req);
netlib::Expected<> write_record(const std::string& path, const Record& r);
// nullopt: no record (never joined, or already undone).
netlib::Expected<std::optional<Record>> read_record(const std::string& path);

netlib::cni::Plugin plugin();

}  // namespace container_join
