#include "netlib/cni/exec.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "netlib/cni/result_json.hpp"
#include "netlib/sys/spawn.hpp"

extern char** environ;

namespace netlib::cni {

using nlohmann::json;

Expected<std::string> find_plugin(std::string_view type, std::string_view path) {
    if (type.empty() || type.find('/') != std::string_view::npos || type == "." || type == "..")
        return fail(Code::InvalidConfig, "invalid plugin type \"" + std::string(type) + "\"");
    std::string_view rest = path;
    while (true) {
        auto colon = rest.find(':');
        auto dir = rest.substr(0, colon);
        if (!dir.empty()) {
            std::string cand = std::string(dir) + "/" + std::string(type);
            struct stat st{};
            if (::stat(cand.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(cand.c_str(), X_OK) == 0)
                return cand;
        }
        if (colon == std::string_view::npos) break;
        rest.remove_prefix(colon + 1);
    }
    return fail(Code::PluginExec, "failed to find plugin \"" + std::string(type) + "\" in path [" +
                                      std::string(path) + "]");
}

namespace {

// Our environment minus any CNI_* (they are set explicitly), plus the invocation's.
std::vector<std::string> plugin_env(const Invocation& inv) {
    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e)
        if (std::strncmp(*e, "CNI_", 4) != 0) env.emplace_back(*e);
    env.push_back("CNI_COMMAND=" + std::string(to_string(inv.command)));
    env.push_back("CNI_CONTAINERID=" + inv.container_id);
    env.push_back("CNI_NETNS=" + inv.netns);
    env.push_back("CNI_IFNAME=" + inv.ifname);
    env.push_back("CNI_ARGS=" + inv.args);
    env.push_back("CNI_PATH=" + inv.path);
    return env;
}

Error plugin_error(std::string_view type, const sys::SpawnResult& r) {
    if (!r.out.empty()) {
        auto j = json::parse(r.out, nullptr, false);
        if (j.is_object() && j.contains("code") && j["code"].is_number_integer()) {
            return Error{j["code"].get<int>(), j.value("msg", std::string{}),
                         j.value("details", std::string{})};
        }
    }
    std::string msg = "plugin " + std::string(type) + " failed (exit " + std::to_string(r.exit_status) + ")";
    const std::string& text = r.err.empty() ? r.out : r.err;
    if (!text.empty()) msg += ": " + text.substr(0, 2000);
    return Error{static_cast<int>(Code::PluginExec), msg, {}};
}

}  // namespace

Expected<PendingPlugin> start_plugin(std::string_view type, const Invocation& inv, std::string_view config) {
    auto bin = NETLIB_TRY(find_plugin(type, inv.path));
    auto child = NETLIB_TRY(sys::Child::start({bin}, plugin_env(inv), config));
    return PendingPlugin(std::string(type), std::move(child));
}

Expected<json> PendingPlugin::wait() {
    auto r = NETLIB_TRY(child_.wait());
    if (r.exit_status != 0) return std::unexpected(plugin_error(type_, r));
    if (r.out.find_first_not_of(" \t\r\n") == std::string::npos) return json();
    auto j = json::parse(r.out, nullptr, false);
    if (j.is_discarded())
        return fail(Code::Decode, "plugin " + type_ + " printed invalid JSON: " + r.out.substr(0, 500));
    return j;
}

Expected<json> exec_plugin(std::string_view type, const Invocation& inv, std::string_view config) {
    auto p = NETLIB_TRY(start_plugin(type, inv, config));
    return p.wait();
}

namespace {
Invocation invocation_for(Command cmd, const Request& req) {
    return Invocation{cmd, req.container_id, req.netns, req.ifname, req.raw_args, req.path};
}
}  // namespace

Expected<PendingPlugin> start_delegate(Command cmd, std::string_view type, const Request& req) {
    return start_plugin(type, invocation_for(cmd, req), req.stdin_raw);
}

Expected<Result> finish_delegate_add(PendingPlugin& p, std::string_view type) {
    auto j = NETLIB_TRY(p.wait());
    auto r = result_from_json(j);
    if (!r) return std::unexpected(with_context(r.error(), "result of IPAM plugin " + std::string(type)));
    return r;
}

Expected<Result> delegate_add(std::string_view type, const Request& req) {
    auto j = NETLIB_TRY(exec_plugin(type, invocation_for(Command::Add, req), req.stdin_raw));
    auto r = result_from_json(j);
    if (!r) return std::unexpected(with_context(r.error(), "result of IPAM plugin " + std::string(type)));
    return r;
}

Expected<> delegate(Command cmd, std::string_view type, const Request& req) {
    NETLIB_TRYV(exec_plugin(type, invocation_for(cmd, req), req.stdin_raw));
    return {};
}

}  // namespace netlib::cni
