// The per-container element records NftPortmap and NftMasq share: written and read back,
// and GC's view of them (containers of a network that are not valid any more).
#include "netlib/nat/element_record.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "../runtime/temp_dir.hpp"
#include "netlib/sys/files.hpp"

using namespace netlib;
using namespace netlib::nat;

namespace {

TEST(ElementRecord, RoundTripAndStaleIdsOfOneNetwork) {
    testutil::TempDir d;
    const std::vector<SetKey> keys = {{"dnat4_any", "tcp . 8080"}, {"hp4", "\"cni0\" . 10.0.0.2"}};
    const std::string text = element_record_text("net", "c1", keys);
    EXPECT_EQ(text, "net\nc1\ndnat4_any\ttcp . 8080\nhp4\t\"cni0\" . 10.0.0.2\n");
    const std::string& dir = d.path();
    ASSERT_TRUE(sys::write_file_atomic(dir + "/a", text, 0600));
    auto r = read_element_record(dir + "/a");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->network, "net");
    EXPECT_EQ(r->container_id, "c1");
    EXPECT_EQ(r->elems, keys);
    EXPECT_FALSE(read_element_record(dir + "/missing"));

    ASSERT_TRUE(sys::write_file_atomic(dir + "/b", element_record_text("net", "c2", {}), 0600));
    ASSERT_TRUE(sys::write_file_atomic(dir + "/c", element_record_text("other", "c3", {}), 0600));
    std::vector<std::string> valid{"c2"};
    EXPECT_EQ(stale_recorded_ids(dir, "net", valid), std::vector<std::string>{"c1"});
    auto all = stale_recorded_ids(dir, "net", {});
    std::sort(all.begin(), all.end());
    EXPECT_EQ(all, (std::vector<std::string>{"c1", "c2"}));
    EXPECT_TRUE(stale_recorded_ids(dir, "none", {}).empty());
    EXPECT_TRUE(stale_recorded_ids(dir + "/no-such-dir", "net", {}).empty());
}

}  // namespace
