#include "static_ipam.hpp"

#include "ipam/static_config.hpp"

namespace ipam {

using netlib::Code;
using netlib::Expected;
using netlib::fail;
namespace cni = netlib::cni;

namespace {

Expected<cni::Result> add(const cni::Request& req) {
    auto cfg = NETLIB_TRY(load_static_config(req));
    return cni::Result{
        .interfaces = {}, .ips = cfg.addresses, .routes = cfg.routes, .dns = cfg.dns};
}

// Every configured address must be in prevResult, with the configured gateway if any.
Expected<> check(const cni::Request& req) {
    auto cfg = NETLIB_TRY(load_static_config(req));
    if (!req.prev_result)
        return fail(Code::InvalidConfig, "static: CHECK needs prevResult, none was given");
    for (const auto& want : cfg.addresses) {
        const cni::IpConfig* got = nullptr;
        for (const auto& c : req.prev_result->ips)
            if (c.address.addr == want.address.addr) got = &c;
        if (!got)
            return fail(Code::CheckFailed, "static: address " + want.address.str() +
                                            " is missing from prevResult for interface " +
                                            req.ifname);
        if (want.gateway && got->gateway != want.gateway)
            return fail(Code::CheckFailed,
                        "static: address " + want.address.str() + " has gateway " +
                            (got->gateway ? got->gateway->str() : std::string("none")) +
                            " in prevResult, config says " + want.gateway->str());
    }
    return {};
}

}  // namespace

cni::Plugin static_plugin() {
    return cni::Plugin{
        .about = "netrun static IPAM",
        .add = add,
        .del = [](const cni::Request&) -> Expected<> { return {}; },
        .check = check,
        .status = {},
        .gc = {},
        .known_args = {"IP", "GATEWAY"},
    };
}

}  // namespace ipam
