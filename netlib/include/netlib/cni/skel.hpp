#pragma once
// Plugin side of the CNI protocol: environment + stdin -> validated Request -> the plugin's
// handler -> Result JSON (converted to the config's version) or error JSON on stdout.
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "netlib/cni/types.hpp"
#include "netlib/error.hpp"

namespace netlib::cni {

enum class Command { Add, Del, Check, Version, Status, Gc };
std::string_view to_string(Command c);

struct Attachment {
    std::string container_id;
    std::string ifname;
    friend bool operator==(const Attachment&, const Attachment&) = default;
};

struct Request {
    Command command = Command::Add;
    std::string container_id;
    std::string netns;
    std::string ifname;
    std::string path;  // CNI_PATH, ':'-separated
    std::vector<std::pair<std::string, std::string>> args;  // CNI_ARGS in order
    std::string raw_args;                                   // CNI_ARGS as received
    nlohmann::json config;                                  // stdin, parsed
    std::string stdin_raw;                                  // stdin as received
    std::string version;                                    // config "cniVersion"
    std::string name;                                       // config "name"
    std::optional<Result> prev_result;
    std::vector<Attachment> valid_attachments;  // GC: cni.dev/valid-attachments

    // Value of CNI_ARGS key, if given.
    std::optional<std::string> arg(std::string_view key) const;
    // config["runtimeConfig"][key], or nullptr json.
    const nlohmann::json& runtime_config(std::string_view key) const;
};

using Handler = std::function<Expected<>(const Request&)>;

struct Plugin {
    std::string about;  // printed for VERSION with no stdin? kept for --help / logs
    std::function<Expected<Result>(const Request&)> add;
    Handler del;
    Handler check;
    Handler status;  // empty: STATUS succeeds
    Handler gc;      // empty: GC succeeds (stateless plugin)
    // CNI_ARGS keys this plugin understands; others are refused (code 2) unless the
    // runtime sends IgnoreUnknown=1, as the spec says.
    std::vector<std::string> known_args;
};

// Environment lookup; returns nullptr for unset variables.
using Env = std::function<const char*(const char*)>;

// Validate env + stdin for a command. Exposed for unit tests.
Expected<Request> parse_request(const Plugin& plugin, const Env& env, std::string stdin_raw);

// {"cniVersion", "code", "msg", "details"} for an error, pretty enough for humans.
std::string error_json(const Error& e, std::string_view version);

// Run one invocation on the config `input`; `out` gets the Result / VERSION reply / error
// JSON. Returns the process exit status (0 ok, 1 error). No iostreams: a plugin process
// that never builds a stream skips the C++ locale set-up (~0.2 ms of every exec here).
int run_plugin(const Plugin& plugin, const Env& env, std::string input, std::string& out);

// main() of every plugin executable: real environment, stdin, stdout.
int plugin_main(const Plugin& plugin);

}  // namespace netlib::cni
