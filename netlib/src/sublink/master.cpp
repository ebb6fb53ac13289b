// Finding the master device and creating a sublink beside it.
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>

#include "netlib/netlink/mac.hpp"
#include "netlib/netlink/route.hpp"
#include "netlib/sublink/sublink.hpp"

namespace netlib::sublink {

namespace nl = netlink;

namespace {

Expected<int> default_route_oif(nl::Socket& s) {
    for (int family : {AF_INET, AF_INET6}) {
        auto routes = NETLIB_TRY(nl::list_routes(s, family, RT_TABLE_MAIN));
        for (const auto& r : routes)
            if (r.dst.prefix == 0 && r.oif > 0) return r.oif;
    }
    return 0;
}

}  // namespace

Expected<nl::LinkInfo> resolve_master(nl::Socket& s, const std::string& name, std::string_view where) {
    if (name.empty()) {
        int oif = NETLIB_TRY(default_route_oif(s));
        if (oif == 0)
            return fail(Code::InvalidConfig, "no \"master\" given and the " + std::string(where) +
                                                 " network namespace has no default route to take it from; "
                                                 "set \"master\" to the parent interface");
        auto link = NETLIB_TRY(nl::get_link(s, oif));
        if (!link) return fail(Code::Kernel, "default route interface (index " + std::to_string(oif) + ") vanished");
        return *link;
    }
    auto link = NETLIB_TRY(nl::get_link(s, name));
    if (!link)
        return fail(Code::InvalidConfig, "master interface \"" + name + "\" not found in the " + std::string(where) +
                                             " network namespace");
    return *link;
}

Expected<> check_mtu(const nl::LinkInfo& master, std::optional<int> mtu) {
    if (mtu && static_cast<unsigned>(*mtu) > master.mtu)
        return fail(Code::InvalidConfig, "mtu " + std::to_string(*mtu) + " is larger than the mtu " +
                                             std::to_string(master.mtu) + " of master \"" + master.name + "\"");
    return {};
}

Expected<nl::LinkInfo> create_renamed(nl::Socket& ctr, const std::string& ifname,
                                      const std::function<Expected<>(const std::string& tmp)>& create) {
    if (NETLIB_TRY(nl::get_link(ctr, ifname)))
        return fail(Code::Conflict, "interface \"" + ifname + "\" already exists in the container network namespace");
    std::string tmp;
    for (int attempt = 0;; ++attempt) {
        tmp = nl::random_name("tmp");
        auto made = create(tmp);
        if (made) break;
        if (made.error().sys_errno != EEXIST || attempt == 9) return std::unexpected(made.error());
    }
    auto link = NETLIB_TRY(nl::get_link(ctr, tmp));
    if (!link) return fail(Code::Kernel, "new link \"" + tmp + "\" is not in the container network namespace");
    auto renamed = nl::rename(ctr, link->index, ifname);
    if (!renamed) {
        (void)nl::delete_link(ctr, link->index);
        if (renamed.error().sys_errno == EEXIST)
            return fail(Code::Conflict, "interface \"" + ifname + "\" already exists in the container network namespace");
        return std::unexpected(renamed.error());
    }
    link->name = ifname;
    return *link;
}

Expected<> delete_container_link(const std::string& netns_path, const std::string& ifname) {
    if (netns_path.empty()) return {};
    auto ns = netns::Netns::open(netns_path);
    if (!ns) return {};  // the namespace is gone, and its links with it
    auto sock = NETLIB_TRY(nl::Socket::open_in(*ns));
    auto link = NETLIB_TRY(nl::get_link(sock, ifname));
    if (!link) return {};
    auto r = nl::delete_link(sock, link->index);
    if (!r && r.error().sys_errno == ENODEV) return {};
    return r;
}

}  // namespace netlib::sublink
