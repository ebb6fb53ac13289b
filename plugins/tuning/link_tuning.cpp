#include "link_tuning.hpp"

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include <cstring>
#include <optional>
#include <string>

namespace tuning {

using netlib::Expected;
namespace nl = netlib::netlink;

namespace {

ifinfomsg* put_ifinfo(nl::Message& m, int index) {
    auto* ifi = m.put_header<ifinfomsg>();
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_index = index;
    return ifi;
}

std::string link_name(int index) {
    return "link #" + std::to_string(index);
}

}  // namespace

Expected<> set_allmulti(nl::Socket& s, int index, bool on) {
    nl::Message m(RTM_NEWLINK, 0);
    auto* ifi = put_ifinfo(m, index);
    ifi->ifi_change = IFF_ALLMULTI;
    ifi->ifi_flags = on ? IFF_ALLMULTI : 0;
    return s.request(m, "set allmulticast on " + link_name(index));
}

Expected<> set_txqlen(nl::Socket& s, int index, std::uint32_t qlen) {
    nl::Message m(RTM_NEWLINK, 0);
    put_ifinfo(m, index);
    m.put_u32(IFLA_TXQLEN, qlen);
    return s.request(m, "set txqueuelen of " + link_name(index));
}

Expected<std::uint32_t> get_txqlen(nl::Socket& s, int index) {
    nl::Message m(RTM_GETLINK, 0);
    put_ifinfo(m, index);
    std::optional<std::uint32_t> qlen;
    NETLIB_TRYV(s.query(m, "get " + link_name(index), [&](const nlmsghdr* nlh) {
        if (nlh->nlmsg_type != RTM_NEWLINK) return;
        // Walk the attributes after the ifinfomsg by hand: the RTA_* macros use C casts.
        const auto* base = reinterpret_cast<const std::uint8_t*>(nlh);
        std::size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(ifinfomsg));
        while (off + sizeof(rtattr) <= nlh->nlmsg_len) {
            const auto* a = reinterpret_cast<const rtattr*>(base + off);
            if (a->rta_len < sizeof(rtattr) || off + a->rta_len > nlh->nlmsg_len) break;
            if (a->rta_type == IFLA_TXQLEN && a->rta_len >= sizeof(rtattr) + sizeof(std::uint32_t))
                std::memcpy(&qlen.emplace(), base + off + RTA_ALIGN(sizeof(rtattr)),
                            sizeof(std::uint32_t));
            off += RTA_ALIGN(a->rta_len);
        }
    }));
    if (!qlen)
        return netlib::fail(netlib::Code::Kernel,
                            "kernel reported no txqueuelen for " + link_name(index));
    return *qlen;
}

}  // namespace tuning
