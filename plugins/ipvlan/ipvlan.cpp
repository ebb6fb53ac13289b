// ipvlan: an L2/L3 sublink sharing its master's MAC, straight into the container netns.
// Chained after another plugin it may take its master and addresses from prevResult.
#include "ipvlan.hpp"

#include "netlib/cni/config_fields.hpp"
#include "netlib/sublink/sublink.hpp"

namespace ipvlan {

using netlib::Code;
using netlib::Expected;
using netlib::fail;
namespace cni = netlib::cni;
namespace nl = netlib::netlink;
namespace sl = netlib::sublink;

namespace {

struct Config {
    sl::CommonConfig common;
    nl::IpvlanMode mode = nl::IpvlanMode::L2;
    std::uint16_t flags = 0;  // 0 bridge, IPVLAN_F_PRIVATE, IPVLAN_F_VEPA
};

Expected<nl::IpvlanMode> parse_mode(const std::string& m) {
    if (m.empty() || m == "l2") return nl::IpvlanMode::L2;
    if (m == "l3") return nl::IpvlanMode::L3;
    if (m == "l3s") return nl::IpvlanMode::L3S;
    return fail(Code::InvalidConfig, "unknown ipvlan \"mode\" \"" + m + "\"; use l2, l3 or l3s");
}

Expected<std::uint16_t> parse_flag(const std::string& f) {
    if (f.empty() || f == "bridge") return std::uint16_t{0};
    if (f == "private") return std::uint16_t{1};
    if (f == "vepa") return std::uint16_t{2};
    return fail(Code::InvalidConfig, "unknown ipvlan \"flag\" \"" + f + "\"; use bridge, private or vepa");
}

// Chained without "master": the one named interface of prevResult, as the reference does.
Expected<> master_from_prev(const cni::Request& req, Config& cfg) {
    if (!cfg.common.master.empty() || !req.prev_result) return {};
    const auto& ifs = req.prev_result->interfaces;
    if (ifs.size() != 1 || ifs[0].name.empty())
        return fail(Code::InvalidConfig, "no \"master\" given and prevResult does not have exactly one named interface "
                                         "to use as master; set \"master\"");
    cfg.common.master = ifs[0].name;
    return {};
}

Expected<Config> parse_config(const cni::Request& req) {
    Config cfg;
    cfg.common = NETLIB_TRY(sl::parse_common(req));
    auto mode = NETLIB_TRY(cni::get_string(req.config, "mode"));
    cfg.mode = NETLIB_TRY(parse_mode(mode));
    auto flag = NETLIB_TRY(cni::get_string(req.config, "flag"));
    cfg.flags = NETLIB_TRY(parse_flag(flag));
    if (req.command == cni::Command::Add) NETLIB_TRYV(master_from_prev(req, cfg));
    return cfg;
}

sl::Driver driver(const Config& cfg) {
    return sl::Driver{
        .kind = "ipvlan",
        .make_link =
            [&cfg](nl::Socket& s, const nl::LinkInfo& master, const netlib::netns::Netns& ns, bool in_container,
                   const std::string& tmp) {
                return nl::create_ipvlan(s, {.name = tmp,
                                             .parent = master.index,
                                             .mode = cfg.mode,
                                             .flags = cfg.flags,
                                             .netns_fd = in_container ? -1 : ns.fd(),
                                             .mtu = cfg.common.mtu});
            },
        .mode = static_cast<std::uint32_t>(cfg.mode),
    };
}

Expected<cni::Result> cmd_add(const cni::Request& req) {
    auto cfg = NETLIB_TRY(parse_config(req));
    std::optional<cni::Result> prev;
    if (cfg.common.ipam_type.empty() && req.prev_result) prev = *req.prev_result;
    return sl::add(req, cfg.common, driver(cfg), std::move(prev));
}

Expected<> cmd_del(const cni::Request& req) {
    auto cfg = NETLIB_TRY(parse_config(req));
    return sl::del(req, cfg.common);
}

Expected<> cmd_check(const cni::Request& req) {
    auto cfg = NETLIB_TRY(parse_config(req));
    return sl::check(req, cfg.common, driver(cfg));
}

Expected<> cmd_status(const cni::Request& req) {
    auto cfg = NETLIB_TRY(parse_config(req));
    return sl::status(req, cfg.common);
}

Expected<> cmd_gc(const cni::Request& req) {
    auto cfg = NETLIB_TRY(parse_config(req));
    return sl::gc(req, cfg.common);
}

}  // namespace

cni::Plugin plugin() {
    return cni::Plugin{
        .about = "netrun ipvlan plugin: an ipvlan sublink of a master device",
        .add = cmd_add,
        .del = cmd_del,
        .check = cmd_check,
        .status = cmd_status,
        .gc = cmd_gc,
        .known_args = {"IP"},
    };
}

}  // namespace ipvlan
