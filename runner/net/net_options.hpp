#pragma once
// Command line of `netrun net`: argv -> NetOptions, checked per verb.
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "netlib/cni/skel.hpp"
#include "netlib/error.hpp"

namespace netrun::net {

enum class Verb { Add, Check, Del, Status, Gc };

struct NetOptions {
    Verb verb = Verb::Add;
    bool help = false;
    std::string network;       // network name, or a path to a .conflist/.conf/.json file
    std::string netns;         // may be empty for del (then --id is required)
    std::string container_id;  // --id; empty: derived from netns
    std::string ifname = "eth0";
    std::vector<std::pair<std::string, std::string>> args;  // --args, IgnoreUnknown=1 added
    nlohmann::json capability_args = nlohmann::json::object();
    bool runtime_args_given = false;  // any of --args -p --ip --mac --cap
    std::string cache_dir;               // empty: default
    std::vector<std::string> conf_dirs;  // empty: defaults
    std::vector<std::string> cni_path;   // empty: defaults
    std::vector<netlib::cni::Attachment> valid;  // gc --valid
    bool all_invalid = false;                    // gc --all-invalid
};

// Usage errors come back as errors; `help` is set for -h/--help (other checks skipped).
netlib::Expected<NetOptions> parse_net_options(std::span<const std::string_view> args);

std::string_view usage_text();
std::string_view verb_name(Verb v);

}  // namespace netrun::net
