#include "netrun_test/test_netns.hpp"

#include <stdexcept>
#include <utility>

#include "netlib/netlink/mac.hpp"

namespace netrun_test {

TestNetns::TestNetns(std::string name)
    : name_(name.empty() ? netlib::netlink::random_name("t-") : std::move(name)), path_("/run/netns/" + name_) {
    if (auto r = netlib::netns::create_persistent(path_); !r)
        throw std::runtime_error("TestNetns: " + r.error().msg);
}

TestNetns::TestNetns(TestNetns&& o) noexcept : name_(std::move(o.name_)), path_(std::exchange(o.path_, {})) {}

TestNetns::~TestNetns() {
    if (!path_.empty()) (void)netlib::netns::remove_persistent(path_);  // best effort: the harness's /run dies with us
}

netlib::netns::Netns TestNetns::open() const {
    auto ns = netlib::netns::Netns::open(path_);
    if (!ns) throw std::runtime_error("TestNetns: " + ns.error().msg);
    return std::move(*ns);
}

}  // namespace netrun_test
