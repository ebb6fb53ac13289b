#include "netlib/nat/iptables_exec.hpp"

#include <unistd.h>

#include <cstdlib>
#include <map>
#include <utility>
#include <vector>

#include "netlib/nat/nft_chain_rules.hpp"
#include "netlib/sys/spawn.hpp"

extern char** environ;

namespace netlib::nat {

namespace {

bool executable(const std::string& path) {
    return ::access(path.c_str(), X_OK) == 0;
}

std::vector<std::string> current_env() {
    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e) env.emplace_back(*e);
    return env;
}

std::string_view family_name(ip::Family f) {
    return f == ip::Family::V4 ? "IPv4" : "IPv6";
}

// The tool's own words are the useful part of the error; keep them on one line.
std::string one_line(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    for (char& c : s) {
        if (c == '\n') c = ';';
    }
    return s;
}

Expected<std::string> resolve(std::string_view name) {
    if (auto p = find_program(name)) return *p;
    return fail(Code::PluginExec,
                "find " + std::string(name) + ": not found in PATH or sbin directories");
}

}  // namespace

IptablesTools IptablesTools::nft() {
    return {"iptables-nft-save", "iptables-nft-restore", "ip6tables-nft-save",
            "ip6tables-nft-restore"};
}

IptablesTools IptablesTools::legacy() {
    return {"iptables-legacy-save", "iptables-legacy-restore", "ip6tables-legacy-save",
            "ip6tables-legacy-restore"};
}

namespace {

std::optional<std::string> search_path(std::string_view name, const std::string& path_env) {
    std::string dirs = path_env + ":/usr/local/sbin:/usr/sbin:/sbin";
    std::string_view rest = dirs;
    while (true) {
        auto colon = rest.find(':');
        std::string_view dir = rest.substr(0, colon);
        if (!dir.empty()) {
            std::string p = std::string(dir) + "/" + std::string(name);
            if (executable(p)) return p;
        }
        if (colon == std::string_view::npos) break;
        rest.remove_prefix(colon + 1);
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> find_program(std::string_view name) {
    if (name.empty()) return std::nullopt;
    if (name.find('/') != std::string_view::npos) {
        std::string p(name);
        return executable(p) ? std::optional(p) : std::nullopt;
    }
    // One PATH walk per name and PATH: an ADD asks for the same tool several times (backend
    // choice, flavour, each family's run), and each walk is an access() per directory.
    // Only hits are kept: a tool installed meanwhile is still found.
    static std::map<std::pair<std::string, std::string>, std::string> found;
    const char* env_path = std::getenv("PATH");
    auto key = std::pair(std::string(name), std::string(env_path ? env_path : ""));
    if (auto it = found.find(key); it != found.end()) return it->second;
    auto p = search_path(name, key.second);
    if (p) found.emplace(std::move(key), *p);
    return p;
}

bool Iptables::available(ip::Family f) const {
    const auto& t = tools_;
    return f == ip::Family::V4 ? find_program(t.save_v4) && find_program(t.restore_v4)
                               : find_program(t.save_v6) && find_program(t.restore_v6);
}

Expected<std::string> Iptables::save(ip::Family f, std::string_view table) const {
    std::string prog = NETLIB_TRY(resolve(f == ip::Family::V4 ? tools_.save_v4 : tools_.save_v6));
    std::vector<std::string> argv{prog};
    if (!table.empty()) argv.insert(argv.end(), {"-t", std::string(table)});
    auto r = NETLIB_TRY(sys::spawn_capture(argv, current_env(), {}));
    if (r.exit_status != 0) {
        return fail(Code::Kernel, "read " + std::string(family_name(f)) + " " + std::string(table) +
                                      " table with " + prog + " (exit " +
                                      std::to_string(r.exit_status) + "): " + one_line(r.err));
    }
    return std::move(r.out);
}

bool Iptables::is_nft(ip::Family f) const {
    auto prog = find_program(f == ip::Family::V4 ? tools_.restore_v4 : tools_.restore_v6);
    return prog && is_iptables_nft(*prog);
}

Expected<PendingRestore> Iptables::start_restore(ip::Family f, std::string batch) const {
    std::string prog =
        NETLIB_TRY(resolve(f == ip::Family::V4 ? tools_.restore_v4 : tools_.restore_v6));
    auto child =
        NETLIB_TRY(sys::Child::start({prog, "--noflush", "-w", "5"}, current_env(), batch));
    return PendingRestore(std::move(child), f, std::move(prog), std::move(batch));
}

Expected<PendingRestore> Iptables::start_restore_awaiting_batch(ip::Family f) const {
    std::string prog =
        NETLIB_TRY(resolve(f == ip::Family::V4 ? tools_.restore_v4 : tools_.restore_v6));
    auto child =
        NETLIB_TRY(sys::Child::start_awaiting_input({prog, "--noflush", "-w", "5"}, current_env()));
    return PendingRestore(std::move(child), f, std::move(prog), {});
}

Expected<> PendingRestore::wait(std::string batch) {
    batch_ = std::move(batch);
    auto r = NETLIB_TRY(child_.wait(batch_));
    return check(r);
}

Expected<> PendingRestore::wait() {
    auto r = NETLIB_TRY(child_.wait());
    return check(r);
}

Expected<> PendingRestore::check(const sys::SpawnResult& r) const {
    if (r.exit_status != 0) {
        return fail(Code::Kernel,
                    "apply " + std::string(family_name(family_)) + " rules with " + prog_ +
                        " (exit " + std::to_string(r.exit_status) + "): " + one_line(r.err),
                    batch_);
    }
    return {};
}

Expected<> Iptables::restore(ip::Family f, std::string_view batch) const {
    auto pending = NETLIB_TRY(start_restore(f, std::string(batch)));
    return pending.wait();
}

}  // namespace netlib::nat
