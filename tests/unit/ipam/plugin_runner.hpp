#pragma once
// Exec an IPAM plugin binary the way a runtime does: CNI_* environment and config on stdin.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "netlib/sys/spawn.hpp"
#include "temp_dir.hpp"

namespace ipam::testing {

// Set by netrun_add_gtest; when a test binary is run by hand, the build layout is used
// (tests in build/tests, plugins in build/bin).
inline std::string plugin_dir() {
    if (const char* d = std::getenv("NETRUN_PLUGIN_DIR")) return d;
    char self[4096];
    ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    std::string p(self, n > 0 ? static_cast<std::size_t>(n) : 0);
    return p.substr(0, p.rfind('/')) + "/../bin";
}
inline std::string our_host_local() {
    return plugin_dir() + "/host-local";
}
inline std::string our_static() {
    return plugin_dir() + "/static";
}
inline const std::string kRefHostLocal = "/usr/lib/cni/host-local";

struct Call {
    std::string command = "ADD";
    std::string id = "c1";
    std::string ifname = "eth0";
    std::string args = "";  // CNI_ARGS
};

struct Outcome {
    int status = -1;
    std::string out;
    std::string err;
    nlohmann::json json() const {
        return out.empty() ? nlohmann::json() : nlohmann::json::parse(out, nullptr, false);
    }
    int code() const {
        auto j = json();
        return j.is_object() && j.contains("code") ? j["code"].get<int>() : 0;
    }
    std::string msg() const {
        auto j = json();
        return j.is_object() && j.contains("msg") ? j["msg"].get<std::string>() : out + err;
    }
};

// CNI_NETNS only has to name some existing path that is not our own netns: IPAM plugins
// never enter it.
inline std::vector<std::string> cni_env(const Call& c, const std::string& netns) {
    std::vector<std::string> env{"CNI_COMMAND=" + c.command, "CNI_PATH=" + plugin_dir(),
                                 "PATH=/usr/bin:/bin"};
    if (c.command != "STATUS" && c.command != "GC" && c.command != "VERSION") {
        env.push_back("CNI_CONTAINERID=" + c.id);
        env.push_back("CNI_IFNAME=" + c.ifname);
        env.push_back("CNI_NETNS=" + netns);
    }
    if (!c.args.empty()) env.push_back("CNI_ARGS=" + c.args);
    return env;
}

inline Outcome run(const std::string& binary, const Call& c, const std::string& config,
                   const std::string& netns) {
    auto r = netlib::sys::spawn_capture({binary}, cni_env(c, netns), config);
    EXPECT_TRUE(r) << (r ? "" : r.error().msg);
    if (!r) return {};
    return {r->exit_status, r->out, r->err};
}

}  // namespace ipam::testing
