#include <nlohmann/json.hpp>

#include <cerrno>

#include "join.hpp"
#include "netlib/sys/files.hpp"

namespace container_join {

using netlib::Code;
using netlib::fail;
using nlohmann::json;

std::string record_path(const Config& cfg, const netlib::cni::Request& req) {
    return cfg.record_dir + "/" + req.name + "-" + req.container_id + "-" + req.ifname;
}

netlib::Expected<> write_record(const std::string& path, const Record& r) {
    NETLIB_TRYV(netlib::sys::mkdir_p(path.substr(0, path.rfind('/'))));
    json j = {{"target", r.target},
              {"netns", r.netns},
              {"targetDev", static_cast<unsigned long long>(r.target_id.dev)},
              {"targetIno", static_cast<unsigned long long>(r.target_id.ino)},
              {"network", r.network},
              {"containerID", r.container_id},
              {"ifname", r.ifname}};
    return netlib::sys::write_file_atomic(path, j.dump() + "\n", 0600);
}

netlib::Expected<std::optional<Record>> read_record(const std::string& path) {
    auto text = netlib::sys::read_file(path);
    if (!text) {
        if (text.error().sys_errno == ENOENT) return std::optional<Record>{};
        return fail(Code::Io, "cannot read " + path + ": " + text.error().msg);
    }
    auto j = json::parse(*text, nullptr, false);
    if (!j.is_object() || !j["targetIno"].is_number_unsigned())
        return fail(Code::Io, "corrupt container-join record " + path + "; remove it by hand");
    Record r{.target = j.value("target", ""),
             .netns = j.value("netns", ""),
             .target_id = {static_cast<dev_t>(j.value("targetDev", 0ULL)), static_cast<ino_t>(j.value("targetIno", 0ULL))},
             .network = j.value("network", ""),
             .container_id = j.value("containerID", ""),
             .ifname = j.value("ifname", "")};
    return std::optional<Record>{r};
}

}  // namespace container_join
