#include "netlib/cni/exec.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <cstring>
#include <map>

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
            struct stat st {};
            if (::stat(cand.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
                ::access(cand.c_str(), X_OK) == 0)
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
    std::string msg =
        "plugin " + std::string(type) + " failed (exit " + std::to_string(r.exit_status) + ")";
    const std::string& text = r.err.empty() ? r.out : r.err;
    if (!text.empty()) msg += ": " + text.substr(0, 2000);
    return Error{static_cast<int>(Code::PluginExec), msg, {}};
}

std::map<std::string, Plugin (*)(), std::less<>>& builtins() {
    static std::map<std::string, Plugin (*)(), std::less<>> table;
    return table;
}

bool same_file(const std::string& a, const std::string& b) {
    struct stat sa {
    }, sb{};
    return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

// The builtin for `type` if `bin` (what CNI_PATH resolved) is our own sibling executable.
Plugin (*builtin_for(std::string_view type, const std::string& bin))() {
    auto it = builtins().find(type);
    if (it == builtins().end()) return nullptr;
    if (const char* off = std::getenv("NETRUN_NO_BUILTIN_DELEGATES");
        off && std::strcmp(off, "1") == 0)
        return nullptr;
    char self[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) return nullptr;
    std::string dir(self, static_cast<std::size_t>(n));
    dir.resize(dir.rfind('/') + 1);
    // Beside us (plugins, the build tree) or, for netrun installed in <prefix>/bin, the
    // plugins it installs in <prefix>/lib/cni.
    for (const std::string& candidate :
         {dir + std::string(type), dir + "../lib/cni/" + std::string(type)})
        if (same_file(bin, candidate)) return it->second;
    return nullptr;
}

sys::SpawnResult run_builtin(Plugin (*factory)(), const Invocation& inv, std::string_view config) {
    const std::string command(to_string(inv.command));
    Env env = [&](const char* key) -> const char* {
        std::string_view k(key);
        if (k == "CNI_COMMAND") return command.c_str();
        if (k == "CNI_CONTAINERID") return inv.container_id.c_str();
        if (k == "CNI_NETNS") return inv.netns.c_str();
        if (k == "CNI_IFNAME") return inv.ifname.c_str();
        if (k == "CNI_ARGS") return inv.args.c_str();
        if (k == "CNI_PATH") return inv.path.c_str();
        return std::getenv(key);
    };
    sys::SpawnResult r;
    r.exit_status = run_plugin(factory(), env, std::string(config), r.out);
    return r;
}

}  // namespace

void register_builtin(std::string_view type, Plugin (*factory)()) {
    builtins()[std::string(type)] = factory;
}

Expected<PendingPlugin> start_plugin(std::string_view type, const Invocation& inv,
                                     std::string_view config) {
    auto bin = NETLIB_TRY(find_plugin(type, inv.path));
    if (auto factory = builtin_for(type, bin))
        return PendingPlugin(std::string(type), run_builtin(factory, inv, config));
    auto child = NETLIB_TRY(sys::Child::start({bin}, plugin_env(inv), config));
    return PendingPlugin(std::string(type), std::move(child));
}

Expected<json> PendingPlugin::wait() {
    auto r = done_ ? std::move(*done_) : NETLIB_TRY(child_->wait());
    if (r.exit_status != 0) return std::unexpected(plugin_error(type_, r));
    if (r.out.find_first_not_of(" \t\r\n") == std::string::npos) return json();
    auto j = json::parse(r.out, nullptr, false);
    if (j.is_discarded())
        return fail(Code::Decode,
                    "plugin " + type_ + " printed invalid JSON: " + r.out.substr(0, 500));
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
    if (!r)
        return std::unexpected(
            with_context(r.error(), "result of IPAM plugin " + std::string(type)));
    return r;
}

Expected<Result> delegate_add(std::string_view type, const Request& req) {
    auto j = NETLIB_TRY(exec_plugin(type, invocation_for(Command::Add, req), req.stdin_raw));
    auto r = result_from_json(j);
    if (!r)
        return std::unexpected(
            with_context(r.error(), "result of IPAM plugin " + std::string(type)));
    return r;
}

Expected<> delegate(Command cmd, std::string_view type, const Request& req) {
    NETLIB_TRYV(exec_plugin(type, invocation_for(cmd, req), req.stdin_raw));
    return {};
}

}  // namespace netlib::cni
