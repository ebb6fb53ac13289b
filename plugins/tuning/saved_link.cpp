#include "saved_link.hpp"

#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>

#include "netlib/sys/files.hpp"

namespace tuning {

using netlib::Code;
using netlib::Expected;
using nlohmann::json;

std::string saved_link_path(const std::string& data_dir, const std::string& container_id,
                            const std::string& ifname) {
    return data_dir + "/" + container_id + "-" + ifname + ".json";
}

Expected<> write_saved_link(const std::string& path, const SavedLink& s) {
    json j = json::object();
    if (!s.mac.empty()) j["mac"] = s.mac;
    if (s.mtu) j["mtu"] = *s.mtu;
    if (s.promisc) j["promisc"] = *s.promisc;
    if (s.allmulti) j["allmulti"] = *s.allmulti;
    if (s.txqlen) j["txQLen"] = *s.txqlen;
    NETLIB_TRYV(netlib::sys::mkdir_p(path.substr(0, path.rfind('/')), 0700));
    return netlib::sys::write_file_atomic(path, j.dump() + "\n", 0600);
}

Expected<std::optional<SavedLink>> read_saved_link(const std::string& path) {
    if (::access(path.c_str(), F_OK) != 0) return std::optional<SavedLink>{};
    auto text = NETLIB_TRY(netlib::sys::read_file(path));
    auto j = json::parse(text, nullptr, false);
    if (!j.is_object())
        return netlib::fail(Code::Decode,
                            "saved link attributes in " + path + " are not a JSON object");
    SavedLink s;
    try {
        s.mac = j.value("mac", std::string{});
        if (j.contains("mtu")) s.mtu = j["mtu"].get<int>();
        if (j.contains("promisc")) s.promisc = j["promisc"].get<bool>();
        if (j.contains("allmulti")) s.allmulti = j["allmulti"].get<bool>();
        if (j.contains("txQLen")) s.txqlen = j["txQLen"].get<std::uint32_t>();
    } catch (const json::exception& e) {
        return netlib::fail(Code::Decode, "saved link attributes in " + path + ": " + e.what());
    }
    return std::optional<SavedLink>{s};
}

Expected<> remove_saved_link(const std::string& path) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
        return netlib::fail_errno(Code::Io, "remove " + path, errno);
    return {};
}

}  // namespace tuning
