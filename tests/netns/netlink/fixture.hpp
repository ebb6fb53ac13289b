#pragma once
// Shared by the netlink/netns kernel tests: a "container" netns next to the test process's
// own (throwaway) netns, with a netlink socket in each.
#include <gtest/gtest.h>

#include <fstream>
#include <stdexcept>
#include <string>

#include "netlib/netlink/link.hpp"
#include "netlib/netlink/socket.hpp"
#include "netlib/netns/netns.hpp"
#include "netrun_test/test_netns.hpp"

// Value of an Expected, or a thrown error naming the call (gtest reports it as a failure).
#define NL_OK(expr)                                                                       \
    __extension__({                                                                       \
        auto nl_ok_r_ = (expr);                                                           \
        if (!nl_ok_r_) throw std::runtime_error(std::string(#expr) + ": " + nl_ok_r_.error().msg); \
        std::move(nl_ok_r_).value();                                                      \
    })

namespace nltest {

namespace nl = netlib::netlink;

// NL_OK for places where a statement-expression is not allowed (member initializers).
template <class T>
T must(netlib::Expected<T> r, const char* what) {
    if (!r) throw std::runtime_error(std::string(what) + ": " + r.error().msg);
    return std::move(*r);
}

// The link, or a thrown error if it is missing or the lookup fails.
inline nl::LinkInfo must_link(nl::Socket& s, const std::string& name) {
    auto l = must(nl::get_link(s, name), ("get_link " + name).c_str());
    if (!l) throw std::runtime_error("link " + name + " not found");
    return *l;
}

class TwoNetns : public ::testing::Test {
protected:
    netrun_test::TestNetns ctr_ns_;
    netlib::netns::Netns ctr_ = ctr_ns_.open();
    nl::Socket host_ = must(nl::Socket::open(), "open host socket");
    nl::Socket ctr_sock_ = must(nl::Socket::open_in(ctr_), "open container socket");

    nl::LinkInfo link(nl::Socket& s, const std::string& name) { return must_link(s, name); }
    bool exists(nl::Socket& s, const std::string& name) { return NL_OK(nl::get_link(s, name)).has_value(); }
};

inline std::string read_file(const std::string& path) {
    std::ifstream f(path);
    std::string s;
    std::getline(f, s);
    return s;
}

}  // namespace nltest
