#pragma once
// The link attributes as they were before ADD changed them, kept in
// <dataDir>/<containerID>-<ifname>.json (as the reference does) so DEL can put them back.
// Only the attributes the config changes are recorded.
#include <cstdint>
#include <optional>
#include <string>

#include "netlib/error.hpp"

namespace tuning {

struct SavedLink {
    std::string mac;
    std::optional<int> mtu;
    std::optional<bool> promisc;
    std::optional<bool> allmulti;
    std::optional<std::uint32_t> txqlen;
};

std::string saved_link_path(const std::string& data_dir, const std::string& container_id,
                            const std::string& ifname);
// Written to a temp file and renamed, so a crash never leaves a half-written record.
netlib::Expected<> write_saved_link(const std::string& path, const SavedLink& s);
// nullopt when there is no record (nothing was changed, or DEL already ran).
netlib::Expected<std::optional<SavedLink>> read_saved_link(const std::string& path);
netlib::Expected<> remove_saved_link(const std::string& path);

}  // namespace tuning
