#pragma once
// Kernel features this host may lack (ipvlan, 802.1Q vlan, dummy, bridge VLAN filtering).
// A test that needs one SKIPs on such a host with the reason; inside the VM tier
// (tests/vm, which sets NETRUN_REQUIRE_KERNEL_FEATURES=1) the same absence is a failure, so a
// broken module set cannot pass as green.
#include <gtest/gtest.h>

#include <string>

namespace netrun_test {

// Empty when links of `kind` ("ipvlan", "vlan", "dummy", ...) can be created in the current
// netns; else a sentence naming the kernel, the missing feature and how to run the VM tier.
std::string missing_link_kind(const std::string& kind);

// Same shape for any other probe: `what` names the feature, `errno_seen` is the probe's errno.
std::string missing_feature_reason(const std::string& what, int errno_seen);

// Empty when a bridge with VLAN filtering (IFLA_BR_VLAN_FILTERING=1) can be created in the
// current netns (CONFIG_BRIDGE_VLAN_FILTERING); else the reason, as above.
std::string missing_bridge_vlan_filtering();

// True when the VM tier asked for missing features to fail instead of skip.
bool kernel_features_required();

}  // namespace netrun_test

// Use at the top of a TEST body: NETRUN_NEED_FEATURE(netrun_test::missing_link_kind("ipvlan"));
#define NETRUN_NEED_FEATURE(reason_expr)                                          \
    do {                                                                          \
        const std::string netrun_reason_ = (reason_expr);                         \
        if (!netrun_reason_.empty()) {                                            \
            if (::netrun_test::kernel_features_required()) FAIL() << netrun_reason_; \
            GTEST_SKIP() << netrun_reason_;                                       \
        }                                                                         \
    } while (0)
