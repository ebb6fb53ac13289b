#include "netlib/netlink/route.hpp"

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

namespace netlib::netlink {

Message route_message(std::uint16_t type, std::uint16_t flags, const RouteSpec& r) {
    Message m(type, flags);
    auto* rt = m.put_header<rtmsg>();
    rt->rtm_family = static_cast<unsigned char>(r.dst.addr.af());
    rt->rtm_dst_len = static_cast<unsigned char>(r.dst.prefix);
    int table = r.table.value_or(RT_TABLE_MAIN);
    rt->rtm_table = static_cast<unsigned char>(table < 256 ? table : int{RT_TABLE_UNSPEC});
    const bool del = type == RTM_DELROUTE;
    // A delete matches on every field it sets: leave protocol and (unless asked) scope open
    // so routes made by others (proto kernel, scope host, ...) can be deleted too.
    rt->rtm_protocol = del ? RTPROT_UNSPEC : RTPROT_BOOT;
    int def_scope = del ? int{RT_SCOPE_NOWHERE} : r.gw ? int{RT_SCOPE_UNIVERSE} : int{RT_SCOPE_LINK};
    rt->rtm_scope = static_cast<unsigned char>(r.scope.value_or(def_scope));
    rt->rtm_type = RTN_UNICAST;
    if (table >= 256) m.put_u32(RTA_TABLE, static_cast<std::uint32_t>(table));
    if (r.dst.prefix > 0) {
        const ip::Addr d = r.dst.network();  // named: bytes() is a view into it
        m.put(RTA_DST, d.bytes().data(), d.bytes().size());
    }
    if (r.gw) {
        auto g = r.gw->bytes();
        m.put(RTA_GATEWAY, g.data(), g.size());
    }
    if (r.src) {
        auto sb = r.src->bytes();
        m.put(RTA_PREFSRC, sb.data(), sb.size());
    }
    if (r.oif) m.put_u32(RTA_OIF, static_cast<std::uint32_t>(r.oif));
    if (r.priority) m.put_u32(RTA_PRIORITY, static_cast<std::uint32_t>(*r.priority));
    if (r.mtu || r.advmss) {
        auto* mx = m.nest_start(RTA_METRICS);
        if (r.mtu) m.put_u32(RTAX_MTU, static_cast<std::uint32_t>(*r.mtu));
        if (r.advmss) m.put_u32(RTAX_ADVMSS, static_cast<std::uint32_t>(*r.advmss));
        m.nest_end(mx);
    }
    return m;
}

namespace {
std::string describe(const RouteSpec& r) {
    return r.dst.str() + (r.gw ? " via " + r.gw->str() : std::string{}) + " oif #" + std::to_string(r.oif);
}

struct RouteAttrs {
    RouteSpec* out;
    int family;
    int table;
};

ip::Addr addr_of(const nlattr* a, int family) {
    return ip::Addr::from_bytes(family == AF_INET ? ip::Family::V4 : ip::Family::V6,
                                {static_cast<const std::uint8_t*>(mnl_attr_get_payload(a)), mnl_attr_get_payload_len(a)});
}

int parse_route_attr(const nlattr* a, void* data) {
    auto* ra = static_cast<RouteAttrs*>(data);
    switch (mnl_attr_get_type(a)) {
        case RTA_DST: ra->out->dst.addr = addr_of(a, ra->family); break;
        case RTA_GATEWAY: ra->out->gw = addr_of(a, ra->family); break;
        case RTA_PREFSRC: ra->out->src = addr_of(a, ra->family); break;
        case RTA_OIF: ra->out->oif = static_cast<int>(mnl_attr_get_u32(a)); break;
        case RTA_PRIORITY: ra->out->priority = static_cast<int>(mnl_attr_get_u32(a)); break;
        case RTA_TABLE: ra->table = static_cast<int>(mnl_attr_get_u32(a)); break;
        default: break;
    }
    return MNL_CB_OK;
}
}  // namespace

Expected<> add_route(Socket& s, const RouteSpec& r) {
    auto m = route_message(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, r);
    return s.request(m, "add route " + describe(r));
}

Expected<> replace_route(Socket& s, const RouteSpec& r) {
    auto m = route_message(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, r);
    return s.request(m, "replace route " + describe(r));
}

Expected<> del_route(Socket& s, const RouteSpec& r) {
    auto m = route_message(RTM_DELROUTE, 0, r);
    return s.request(m, "delete route " + describe(r));
}

Expected<std::vector<RouteSpec>> list_routes(Socket& s, int family, std::optional<int> table) {
    Message m(RTM_GETROUTE, NLM_F_DUMP);
    auto* rt = m.put_header<rtmsg>();
    rt->rtm_family = static_cast<unsigned char>(family);
    const int want = table.value_or(RT_TABLE_MAIN);
    std::vector<RouteSpec> out;
    NETLIB_TRYV(s.query(m, "list routes", [&](const nlmsghdr* nlh) {
        if (nlh->nlmsg_type != RTM_NEWROUTE) return;
        const auto* h = static_cast<const rtmsg*>(mnl_nlmsg_get_payload(nlh));
        if (h->rtm_family != family || h->rtm_type != RTN_UNICAST) return;
        RouteSpec r;
        r.dst = ip::Net{ip::Addr::zero(family == AF_INET ? ip::Family::V4 : ip::Family::V6), h->rtm_dst_len};
        RouteAttrs ra{&r, family, h->rtm_table};
        mnl_attr_parse(nlh, sizeof(*h), parse_route_attr, &ra);
        if (ra.table != want) return;
        r.table = ra.table;
        r.scope = h->rtm_scope;
        out.push_back(std::move(r));
    }));
    return out;
}

}  // namespace netlib::netlink
