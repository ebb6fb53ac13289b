// Shell helpers of the NAT root tests: run a setup command (it must succeed), read a
// command's output (nft/iptables listings), count occurrences in it.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

namespace nattest {

inline void sh(const std::string& cmd) {
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

inline std::string out(const std::string& cmd) {
    std::unique_ptr<FILE, int (*)(FILE*)> p(::popen(cmd.c_str(), "r"), ::pclose);
    std::string s;
    std::array<char, 4096> buf{};
    while (p && std::fgets(buf.data(), buf.size(), p.get())) s += buf.data();
    return s;
}

inline std::size_t count(std::string_view hay, std::string_view needle) {
    std::size_t n = 0;
    for (auto pos = hay.find(needle); pos != std::string_view::npos; pos = hay.find(needle, pos + 1)) ++n;
    return n;
}

}  // namespace nattest
