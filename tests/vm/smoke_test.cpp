// VM tier smoke test: proves the guest kernel has every feature the vm-labelled tests rely
// on, so a broken module set in tests/vm fails here first. On the host it SKIPs with the
// reason; under tests/vm/run.sh (NETRUN_REQUIRE_KERNEL_FEATURES=1) absence is a failure.
// Runs in the private netns netrun_netns_main gives it.
#include <gtest/gtest.h>

#include "cni_call.hpp"
#include "netrun_test/kernel_feature.hpp"

namespace {

TEST(VmSmoke, KernelHasIpvlanVlanDummyAndBridgeVlanFiltering) {
    NETRUN_NEED_FEATURE(netrun_test::missing_link_kind("ipvlan"));
    NETRUN_NEED_FEATURE(netrun_test::missing_link_kind("vlan"));
    NETRUN_NEED_FEATURE(netrun_test::missing_link_kind("dummy"));
    NETRUN_NEED_FEATURE(netrun_test::missing_bridge_vlan_filtering());

    // The probes only ask the kernel; build the real shapes too and look at them.
    testcni::sh("ip link add smk0 type veth peer name smk1");
    testcni::sh("ip link set smk0 up && ip link set smk1 up");
    testcni::sh("ip link add link smk0 name smk0.10 type vlan id 10");
    testcni::sh("ip link add link smk1 name smkipv type ipvlan mode l2");
    testcni::sh("ip link add smkdum type dummy");
    testcni::sh("ip link add smkbr type bridge vlan_filtering 1");

    const auto vlan = testcni::ip_json("", {"-d", "link", "show", "smk0.10"});
    ASSERT_EQ(vlan.size(), 1u);
    EXPECT_EQ(vlan[0]["linkinfo"]["info_kind"], "vlan");
    EXPECT_EQ(vlan[0]["linkinfo"]["info_data"]["id"], 10);
    EXPECT_EQ(testcni::link_names("", "ipvlan"), std::vector<std::string>{"smkipv"});
    EXPECT_EQ(testcni::link_names("", "dummy"), std::vector<std::string>{"smkdum"});
    const auto br = testcni::ip_json("", {"-d", "link", "show", "smkbr"});
    ASSERT_EQ(br.size(), 1u);
    EXPECT_EQ(br[0]["linkinfo"]["info_data"]["vlan_filtering"], 1);
}

}  // namespace
