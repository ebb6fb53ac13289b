#include "netlib/netlink/addr.hpp"

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

namespace netlib::netlink {

Message addr_message(std::uint16_t type, int index, const ip::Net& addr, const AddrOptions& opt) {
    Message m(type, type == RTM_NEWADDR ? NLM_F_CREATE | NLM_F_EXCL : 0);
    auto* ifa = m.put_header<ifaddrmsg>();
    ifa->ifa_family = static_cast<unsigned char>(addr.addr.af());
    ifa->ifa_prefixlen = static_cast<unsigned char>(addr.prefix);
    ifa->ifa_index = static_cast<unsigned>(index);
    auto b = addr.addr.bytes();
    m.put(IFA_LOCAL, b.data(), b.size());
    m.put(IFA_ADDRESS, b.data(), b.size());
    if (addr.addr.is_v4() && addr.prefix < 31 && type == RTM_NEWADDR) {
        const ip::Addr brd = addr.last();  // as `ip addr add ... brd +`; bytes() views it
        m.put(IFA_BROADCAST, brd.bytes().data(), brd.bytes().size());
    }
    if (opt.nodad) m.put_u32(IFA_FLAGS, IFA_F_NODAD);
    return m;
}

Expected<> add_addr(Socket& s, int index, const ip::Net& addr, const AddrOptions& opt) {
    auto m = addr_message(RTM_NEWADDR, index, addr, opt);
    return s.request(m, "add address " + addr.str() + " to link #" + std::to_string(index));
}

Expected<> del_addr(Socket& s, int index, const ip::Net& addr) {
    auto m = addr_message(RTM_DELADDR, index, addr);
    return s.request(m, "delete address " + addr.str() + " from link #" + std::to_string(index));
}

namespace {
struct AddrAttrs {
    const nlattr* local = nullptr;
    const nlattr* address = nullptr;
};
int parse_addr_attr(const nlattr* a, void* data) {
    auto* out = static_cast<AddrAttrs*>(data);
    if (mnl_attr_get_type(a) == IFA_LOCAL) out->local = a;
    if (mnl_attr_get_type(a) == IFA_ADDRESS) out->address = a;
    return MNL_CB_OK;
}
}  // namespace

Expected<std::vector<ip::Net>> list_addrs(Socket& s, int index, int family) {
    Message m(RTM_GETADDR, NLM_F_DUMP);
    auto* ifa = m.put_header<ifaddrmsg>();
    ifa->ifa_family = static_cast<unsigned char>(family);
    std::vector<ip::Net> out;
    NETLIB_TRYV(s.query(m, "list addresses of link #" + std::to_string(index), [&](const nlmsghdr* nlh) {
        if (nlh->nlmsg_type != RTM_NEWADDR) return;
        const auto* h = static_cast<const ifaddrmsg*>(mnl_nlmsg_get_payload(nlh));
        if (static_cast<int>(h->ifa_index) != index || h->ifa_family != family) return;
        AddrAttrs attrs;
        mnl_attr_parse(nlh, sizeof(*h), parse_addr_attr, &attrs);
        const nlattr* a = attrs.local ? attrs.local : attrs.address;  // v4 peer addrs differ
        if (!a) return;
        auto f = family == AF_INET ? ip::Family::V4 : ip::Family::V6;
        auto addr = ip::Addr::from_bytes(
            f, {static_cast<const std::uint8_t*>(mnl_attr_get_payload(a)), mnl_attr_get_payload_len(a)});
        out.push_back(ip::Net{addr, h->ifa_prefixlen});
    }));
    return out;
}

}  // namespace netlib::netlink
