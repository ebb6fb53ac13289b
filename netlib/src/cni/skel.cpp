#include "netlib/cni/skel.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "netlib/cni/result_json.hpp"
#include "netlib/cni/version.hpp"
#include "validate.hpp"

namespace netlib::cni {

using nlohmann::json;

std::string_view to_string(Command c) {
    switch (c) {
        case Command::Add: return "ADD";
        case Command::Del: return "DEL";
        case Command::Check: return "CHECK";
        case Command::Version: return "VERSION";
        case Command::Status: return "STATUS";
        case Command::Gc: return "GC";
    }
    return "?";
}

std::optional<std::string> Request::arg(std::string_view key) const {
    for (const auto& [k, v] : args)
        if (k == key) return v;
    return std::nullopt;
}

const json& Request::runtime_config(std::string_view key) const {
    static const json kNull;
    auto rc = config.find("runtimeConfig");
    if (rc == config.end() || !rc->is_object()) return kNull;
    auto it = rc->find(key);
    return it == rc->end() ? kNull : *it;
}

namespace {

std::optional<Command> parse_command(std::string_view s) {
    if (s == "ADD") return Command::Add;
    if (s == "DEL") return Command::Del;
    if (s == "CHECK") return Command::Check;
    if (s == "VERSION") return Command::Version;
    if (s == "STATUS") return Command::Status;
    if (s == "GC") return Command::Gc;
    return std::nullopt;
}

std::string env_or_empty(const Env& env, const char* name) {
    const char* v = env(name);
    return v ? v : "";
}

// Which CNI_* variables each verb needs (skel semantics; CNI_NETNS optional on DEL).
Expected<> check_required_env(Command cmd, const Env& env) {
    std::vector<const char*> need;
    const bool attach = cmd == Command::Add || cmd == Command::Del || cmd == Command::Check;
    if (attach) need = {"CNI_CONTAINERID", "CNI_IFNAME"};
    if (cmd == Command::Add || cmd == Command::Check) need.push_back("CNI_NETNS");
    if (cmd != Command::Version) need.push_back("CNI_PATH");
    std::string missing;
    for (const char* n : need) {
        const char* v = env(n);
        if (v == nullptr || (*v == '\0' && std::string_view(n) != "CNI_PATH")) {
            if (!missing.empty()) missing += ",";
            missing += n;
        }
    }
    if (!missing.empty())
        return fail(Code::InvalidEnv, "required env variables [" + missing + "] missing");
    return {};
}

// The runtime must not hand us our own netns: configuring "the container" would then
// reconfigure the host. Same check as the reference skeleton (code 8 is libcni's).
Expected<> check_not_own_netns(const std::string& netns, const Env& env) {
    if (netns.empty() || env("CNI_NETNS_OVERRIDE") != nullptr) return {};
    struct stat a{}, b{};
    if (::stat(netns.c_str(), &a) != 0 || ::stat("/proc/self/ns/net", &b) != 0) return {};
    if (a.st_dev == b.st_dev && a.st_ino == b.st_ino)
        return std::unexpected(Error{8, "netns " + netns + " is the plugin's own network namespace"
                                        " (CNI_NETNS must name the container's netns)", {}});
    return {};
}

Expected<std::string> check_config_version(const Plugin&, const json& config, Command cmd) {
    auto it = config.find("cniVersion");
    std::string v = it != config.end() && it->is_string() ? it->get<std::string>() : "0.1.0";
    NETLIB_TRYV(compare_versions(v, "0.0.0"));
    if (!is_supported(v)) {
        std::string list;
        for (auto s : supported_versions()) list += (list.empty() ? "" : ", ") + std::string(s);
        return fail(Code::IncompatibleVersion,
                    "incompatible CNI versions: config is \"" + v + "\", plugin supports [" + list + "]",
                    "config is \"" + v + "\", plugin supports [" + list + "]");
    }
    const char* need = cmd == Command::Check                          ? "0.4.0"
                       : (cmd == Command::Gc || cmd == Command::Status) ? "1.1.0"
                                                                      : nullptr;
    if (need && !at_least(v, need))
        return fail(Code::IncompatibleVersion, "config version \"" + v + "\" does not allow " +
                                                   std::string(to_string(cmd)) + " (needs >= " + need + ")");
    return v;
}

Expected<std::vector<Attachment>> parse_attachments(const json& config) {
    std::vector<Attachment> out;
    auto it = config.find("cni.dev/valid-attachments");
    if (it == config.end()) it = config.find("cni.dev/attachments");
    if (it == config.end() || it->is_null()) return out;
    if (!it->is_array()) return fail(Code::InvalidConfig, "cni.dev/valid-attachments must be a list");
    for (const auto& e : *it) {
        if (!e.is_object()) return fail(Code::InvalidConfig, "cni.dev/valid-attachments entries must be objects");
        out.push_back({e.value("containerID", ""), e.value("ifname", "")});
    }
    return out;
}

Expected<> parse_config_into(Request& r, const Plugin& plugin) {
    try {
        r.config = json::parse(r.stdin_raw);
    } catch (const json::exception& e) {
        return fail(Code::Decode, std::string("decoding network config from stdin: ") + e.what());
    }
    if (!r.config.is_object()) return fail(Code::Decode, "network config on stdin is not a JSON object");
    r.version = NETLIB_TRY(check_config_version(plugin, r.config, r.command));
    auto name = r.config.find("name");
    if (name == r.config.end() || !name->is_string() || name->get<std::string>().empty())
        return fail(Code::InvalidConfig, "network config has no \"name\"");
    r.name = name->get<std::string>();
    NETLIB_TRYV(validate_network_name(r.name));
    auto type = r.config.find("type");
    if (type == r.config.end() || !type->is_string() || type->get<std::string>().empty())
        return fail(Code::InvalidConfig, "network config \"" + r.name + "\" has no plugin \"type\"");
    if (auto p = r.config.find("prevResult"); p != r.config.end() && !p->is_null()) {
        auto res = result_from_json(*p);
        if (!res) return std::unexpected(with_context(res.error(), "decoding prevResult"));
        r.prev_result = std::move(*res);
    }
    if (r.command == Command::Gc) r.valid_attachments = NETLIB_TRY(parse_attachments(r.config));
    return {};
}

}  // namespace

Expected<Request> parse_request(const Plugin& plugin, const Env& env, std::string stdin_raw) {
    const char* cmd_s = env("CNI_COMMAND");
    if (cmd_s == nullptr || *cmd_s == '\0')
        return fail(Code::InvalidEnv, "required env variables [CNI_COMMAND] missing");
    auto cmd = parse_command(cmd_s);
    if (!cmd) return fail(Code::InvalidEnv, std::string("unknown CNI_COMMAND: ") + cmd_s);
    Request r;
    r.command = *cmd;
    r.stdin_raw = std::move(stdin_raw);
    if (r.command == Command::Version) return r;
    NETLIB_TRYV(check_required_env(r.command, env));
    r.container_id = env_or_empty(env, "CNI_CONTAINERID");
    r.netns = env_or_empty(env, "CNI_NETNS");
    r.ifname = env_or_empty(env, "CNI_IFNAME");
    r.path = env_or_empty(env, "CNI_PATH");
    r.raw_args = env_or_empty(env, "CNI_ARGS");
    if (r.command == Command::Add || r.command == Command::Del || r.command == Command::Check) {
        NETLIB_TRYV(validate_container_id(r.container_id));
        NETLIB_TRYV(validate_ifname(r.ifname));
        NETLIB_TRYV(check_not_own_netns(r.netns, env));
    }
    r.args = NETLIB_TRY(parse_cni_args(r.raw_args, plugin.known_args));
    NETLIB_TRYV(parse_config_into(r, plugin));
    return r;
}

std::string error_json(const Error& e, std::string_view version) {
    json j{{"cniVersion", std::string(version)}, {"code", e.code}, {"msg", e.msg}};
    if (!e.details.empty()) j["details"] = e.details;
    return j.dump(2) + "\n";
}

namespace {

std::string version_reply() {
    json j{{"cniVersion", std::string(kLatestVersion)}, {"supportedVersions", json::array()}};
    for (auto v : supported_versions()) j["supportedVersions"].push_back(std::string(v));
    return j.dump() + "\n";
}

Expected<std::string> dispatch(const Plugin& plugin, const Request& r) {
    switch (r.command) {
        case Command::Version: return version_reply();
        case Command::Add: {
            auto res = NETLIB_TRY(plugin.add(r));
            return result_to_json(res, r.version).dump(2) + "\n";
        }
        case Command::Del: NETLIB_TRYV(plugin.del(r)); break;
        case Command::Check: NETLIB_TRYV(plugin.check(r)); break;
        case Command::Status:
            if (plugin.status) NETLIB_TRYV(plugin.status(r));
            break;
        case Command::Gc:
            if (plugin.gc) NETLIB_TRYV(plugin.gc(r));
            break;
    }
    return std::string{};
}

}  // namespace

int run_plugin(const Plugin& plugin, const Env& env, std::string input, std::string& out) {
    auto req = parse_request(plugin, env, std::move(input));
    if (!req) {
        out = error_json(req.error(), kLatestVersion);
        return 1;
    }
    auto reply = dispatch(plugin, *req);
    const std::string_view ver = req->version.empty() ? kLatestVersion : req->version;
    if (!reply) {
        out = error_json(reply.error(), ver);
        return 1;
    }
    out = std::move(*reply);
    return 0;
}

namespace {

// A closed stdin reads as empty (VERSION needs none), as it did through std::cin.
bool read_stdin(std::string& into) {
    char buf[16384];
    while (true) {
        const ssize_t n = ::read(0, buf, sizeof buf);
        if (n > 0) into.append(buf, static_cast<std::size_t>(n));
        else if (n == 0 || errno == EBADF) return true;
        else if (errno != EINTR) return false;
    }
}

void write_stdout(std::string_view s) {
    while (!s.empty()) {
        const ssize_t n = ::write(1, s.data(), s.size());
        if (n > 0) s.remove_prefix(static_cast<std::size_t>(n));
        else if (n < 0 && errno != EINTR) return;  // nobody to tell: stdout itself is gone
    }
}

}  // namespace

int plugin_main(const Plugin& plugin) {
    std::string input, out;
    int rc = 1;
    if (!read_stdin(input))
        out = error_json(Error{static_cast<int>(Code::Io), "reading network config from stdin failed", {}},
                         kLatestVersion);
    else
        rc = run_plugin(plugin, [](const char* n) { return std::getenv(n); }, std::move(input), out);
    write_stdout(out);
    return rc;
}

}  // namespace netlib::cni
