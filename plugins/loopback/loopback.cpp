// loopback: bring `lo` up in the container netns (CNI_IFNAME is ignored, as in the
// reference). Stateless apart from the link flag, so DEL/CHECK are simple.
#include "loopback.hpp"

#include <cerrno>
#include <sys/socket.h>

#include "netlib/netlink/addr.hpp"
#include "netlib/netlink/link.hpp"
#include "netlib/netns/netns.hpp"

namespace loopback {

using netlib::Code;
using netlib::Expected;
using netlib::fail;
namespace cni = netlib::cni;
namespace nl = netlib::netlink;

namespace {

Expected<nl::LinkInfo> lo_link(nl::Socket& sock) {
    auto lo = NETLIB_TRY(nl::get_link(sock, "lo"));
    if (!lo) return fail(Code::Kernel, "no loopback interface \"lo\" in the container network namespace");
    return *lo;
}

Expected<cni::Result> add(const cni::Request& req) {
    auto ns = NETLIB_TRY(netlib::netns::open_container(req.netns));
    auto sock = NETLIB_TRY(nl::Socket::open_in(ns));
    auto lo = NETLIB_TRY(lo_link(sock));
    if (!lo.up) NETLIB_TRYV(nl::set_up(sock, lo.index));
    if (req.prev_result) return *req.prev_result;
    cni::Result r;
    r.interfaces = {{.name = "lo", .mac = "00:00:00:00:00:00", .sandbox = req.netns}};
    for (int af : {AF_INET, AF_INET6}) {
        for (const auto& a : NETLIB_TRY(nl::list_addrs(sock, lo.index, af))) {
            if (!a.addr.is_loopback())
                return fail(Code::Conflict, "loopback interface carries a non-loopback address " + a.str());
            r.ips.push_back({.address = a, .interface = 0});
        }
    }
    return r;
}

Expected<> del(const cni::Request& req) {
    if (req.netns.empty()) return {};
    auto ns = netlib::netns::Netns::open(req.netns);
    if (!ns) return {};  // namespace gone: nothing to undo
    auto sock = NETLIB_TRY(nl::Socket::open_in(*ns));
    auto lo = NETLIB_TRY(nl::get_link(sock, "lo"));
    if (!lo || !lo->up) return {};
    return nl::set_down(sock, lo->index);
}

Expected<> check(const cni::Request& req) {
    auto ns = NETLIB_TRY(netlib::netns::open_container(req.netns));
    auto sock = NETLIB_TRY(nl::Socket::open_in(ns));
    auto lo = NETLIB_TRY(lo_link(sock));
    if (!lo.up) return fail(Code::Kernel, "loopback interface is down in " + req.netns);
    return {};
}

}  // namespace

cni::Plugin plugin() {
    return cni::Plugin{.about = "netrun loopback plugin", .add = add, .del = del, .check = check, .status = {},
                       .gc = {}, .known_args = {}};
}

}  // namespace loopback
