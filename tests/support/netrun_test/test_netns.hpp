#pragma once
// A named network namespace for one test: created at /run/netns/<name> (the harness gives
// each test binary a private /run), removed when the object goes away. iproute2 can reach
// it by name (`ip -n <name>`), our code by path.
#include <string>

#include "netlib/netns/netns.hpp"

namespace netrun_test {

class TestNetns {
public:
    // Empty name: a random "t-xxxxxxxx". Throws std::runtime_error if it cannot be created
    // (gtest reports the exception as a test failure).
    explicit TestNetns(std::string name = {});
    TestNetns(TestNetns&& o) noexcept;
    TestNetns& operator=(TestNetns&&) = delete;
    TestNetns(const TestNetns&) = delete;
    TestNetns& operator=(const TestNetns&) = delete;
    ~TestNetns();

    const std::string& name() const noexcept { return name_; }
    const std::string& path() const noexcept { return path_; }
    // A fresh handle; throws if the namespace cannot be opened.
    netlib::netns::Netns open() const;

private:
    std::string name_;
    std::string path_;
};

}  // namespace netrun_test
