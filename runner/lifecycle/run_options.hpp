#pragma once
// `netrun run` options in the docker-run habit, parsed and validated into what the runner
// needs. Every mistake is an error naming the option (exit 125 at the CLI).
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "netlib/error.hpp"
#include "sandbox/spec.hpp"

namespace netrun::lifecycle {

struct RunOptions {
    std::string image;               // empty: the embedded default image
    std::vector<std::string> cmd;    // empty: the image's
    std::string name;
    bool detach = false, rm = false;
    std::vector<std::string> env;    // -e and --env-file, in order ("K=V")
    std::string workdir, user, hostname;
    std::vector<sandbox::VolumeMount> volumes;
    std::vector<sandbox::TmpfsMount> tmpfs;
    bool read_only = false;
    sandbox::Resources resources;
    sandbox::Security security;
    bool userns_auto = false;
    bool init = true;
    int stop_signal = 15;
    int stop_timeout = 10;
    std::vector<std::string> nets;   // --net/--network in order; empty: bridge
    std::vector<std::string> publish;
    std::string ip, mac;             // --ip, --mac-address for the first network
    std::vector<std::string> dns, dns_search, dns_options, add_hosts;
};

// args: everything after `run` (or, with default_image, the firejail short form's options
// and `-- CMD`).
netlib::Expected<RunOptions> parse_run_options(std::span<const std::string_view> args);

// Helpers shared with other commands.
netlib::Expected<long long> parse_bytes(std::string_view v, std::string_view option);
netlib::Expected<int> parse_signal(std::string_view v);
bool valid_name(std::string_view name);

extern const char* const kRunUsage;

}  // namespace netrun::lifecycle
