#include "netrun_test/kernel_feature.hpp"

#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <sys/utsname.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "netlib/netlink/socket.hpp"

namespace netrun_test {

bool kernel_features_required() {
    const char* v = std::getenv("NETRUN_REQUIRE_KERNEL_FEATURES");
    return v && std::strcmp(v, "1") == 0;
}

std::string missing_feature_reason(const std::string& what, int errno_seen) {
    utsname u{};
    ::uname(&u);
    return "kernel " + std::string(u.release) + " has no " + what + " (" + std::strerror(errno_seen) +
           "); this test runs in the VM tier: tests/vm/run.sh";
}

// RTM_NEWLINK of the kind without a parent: the kernel looks the kind up (and tries to load
// its module) before it validates anything else, so EOPNOTSUPP means "kind unknown" and any
// other answer means the kind exists.
std::string missing_link_kind(const std::string& kind) {
    using namespace netlib::netlink;
    auto sock = Socket::open();
    if (!sock) return "cannot open rtnetlink to probe for " + kind + ": " + sock.error().msg;
    const std::string name = "probe-" + kind.substr(0, 8);
    Message m(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
    m.put_header<ifinfomsg>()->ifi_family = AF_UNSPEC;
    m.put_strz(IFLA_IFNAME, name);
    auto* info = m.nest_start(IFLA_LINKINFO);
    m.put_strz(IFLA_INFO_KIND, kind);
    m.nest_end(info);
    auto r = sock->request(m, "probe link kind " + kind);
    if (r) {  // created (e.g. dummy needs no parent): remove the probe again
        Message d(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK);
        d.put_header<ifinfomsg>()->ifi_family = AF_UNSPEC;
        d.put_strz(IFLA_IFNAME, name);
        (void)sock->request(d, "delete probe link");
        return {};
    }
    if (r.error().sys_errno == EOPNOTSUPP) return missing_feature_reason(kind + " link support", EOPNOTSUPP);
    return {};
}

// A kernel built without CONFIG_BRIDGE_VLAN_FILTERING creates the bridge but answers
// EOPNOTSUPP to the filtering flag, so the probe creates a bridge with it set in one request.
std::string missing_bridge_vlan_filtering() {
    using namespace netlib::netlink;
    auto sock = Socket::open();
    if (!sock) return "cannot open rtnetlink to probe bridge VLAN filtering: " + sock.error().msg;
    const std::string name = "probe-brvlan";
    Message m(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
    m.put_header<ifinfomsg>()->ifi_family = AF_UNSPEC;
    m.put_strz(IFLA_IFNAME, name);
    auto* info = m.nest_start(IFLA_LINKINFO);
    m.put_strz(IFLA_INFO_KIND, "bridge");
    auto* data = m.nest_start(IFLA_INFO_DATA);
    m.put_u8(IFLA_BR_VLAN_FILTERING, 1);
    m.nest_end(data);
    m.nest_end(info);
    auto r = sock->request(m, "probe bridge VLAN filtering");
    Message d(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK);
    d.put_header<ifinfomsg>()->ifi_family = AF_UNSPEC;
    d.put_strz(IFLA_IFNAME, name);
    (void)sock->request(d, "delete probe bridge");  // also when only the flag was refused
    if (r) return {};
    if (r.error().sys_errno == EOPNOTSUPP)
        return missing_feature_reason("bridge VLAN filtering", EOPNOTSUPP);
    return "bridge VLAN filtering probe failed: " + r.error().msg;
}

}  // namespace netrun_test
