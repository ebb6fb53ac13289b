// macvlan: a MAC-addressed sublink of a master device, straight into the container netns.
// Everything but the link itself (master lookup, rename, IPAM, rollback) is netlib/sublink.
#include "macvlan.hpp"

#include "netlib/cni/config_fields.hpp"
#include "netlib/sublink/sublink.hpp"

namespace macvlan {

using netlib::Code;
using netlib::Expected;
using netlib::fail;
namespace cni = netlib::cni;
namespace nl = netlib::netlink;
namespace sl = netlib::sublink;

namespace {

struct Config {
    sl::CommonConfig common;
    nl::MacvlanMode mode = nl::MacvlanMode::Bridge;
    std::string mac;
    std::optional<std::uint32_t> bc_queue_len;
};

Expected<nl::MacvlanMode> parse_mode(const std::string& m) {
    if (m.empty() || m == "bridge") return nl::MacvlanMode::Bridge;
    if (m == "private") return nl::MacvlanMode::Private;
    if (m == "vepa") return nl::MacvlanMode::Vepa;
    if (m == "passthru") return nl::MacvlanMode::Passthru;
    return fail(Code::InvalidConfig, "unknown macvlan \"mode\" \"" + m + "\"; use bridge, private, vepa or passthru");
}

Expected<Config> parse_config(const cni::Request& req) {
    Config cfg;
    cfg.common = NETLIB_TRY(sl::parse_common(req));
    auto mode = NETLIB_TRY(cni::get_string(req.config, "mode"));
    cfg.mode = NETLIB_TRY(parse_mode(mode));
    cfg.mac = NETLIB_TRY(cni::requested_mac(req));
    if (auto q = NETLIB_TRY(cni::get_int(req.config, "bcqueuelen", 0, 0xffffffffLL)))
        cfg.bc_queue_len = static_cast<std::uint32_t>(*q);
    return cfg;
}

sl::Driver driver(const Config& cfg) {
    return sl::Driver{
        .kind = "macvlan",
        .make_link =
            [&cfg](nl::Socket& s, const nl::LinkInfo& master, const netlib::netns::Netns& ns, bool in_container,
                   const std::string& tmp) {
                return nl::create_macvlan(s, {.name = tmp,
                                              .parent = master.index,
                                              .mode = cfg.mode,
                                              .netns_fd = in_container ? -1 : ns.fd(),
                                              .mtu = cfg.common.mtu,
                                              .mac = cfg.mac,
                                              .bc_queue_len = cfg.bc_queue_len});
            },
        .mode = static_cast<std::uint32_t>(cfg.mode),
    };
}

Expected<cni::Result> cmd_add(const cni::Request& req) {
    auto cfg = NETLIB_TRY(parse_config(req));
    return sl::add(req, cfg.common, driver(cfg));
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
        .about = "netrun macvlan plugin: a macvlan sublink of a master device",
        .add = cmd_add,
        .del = cmd_del,
        .check = cmd_check,
        .status = cmd_status,
        .gc = cmd_gc,
        .known_args = {"MAC", "IP"},
    };
}

}  // namespace macvlan
