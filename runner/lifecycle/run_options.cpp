#include "run_options.hpp"

#include <signal.h>
#include <unistd.h>

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <regex>

namespace netrun::lifecycle {

using netlib::Code;
using netlib::Expected;
using netlib::fail;

const char* const kRunUsage =
    "usage: netrun run [OPTIONS] [IMAGE] [--] [COMMAND [ARG...]]\n"
    "       netrun [OPTIONS] -- COMMAND [ARG...]      (the built-in image netrun/busybox)\n\n"
    "  --name NAME            container name\n"
    "  -d, --detach           run in the background, print the container id\n"
    "  --rm                   remove the container when it exits\n"
    "  --hostname NAME        container host name (default: the short id)\n"
    "  -e, --env K=V|K        set (or pass through) an environment variable\n"
    "  --env-file FILE        read K=V lines\n"
    "  -w, --workdir DIR      working directory\n"
    "  -u, --user UID[:GID]   user (numeric or a name from the image's /etc/passwd)\n"
    "  -v, --volume SRC:DST[:ro]  bind mount a host path\n"
    "  --tmpfs DST[:OPTS]     mount a tmpfs\n"
    "  --read-only            read-only root filesystem\n"
    "  -m, --memory SIZE      memory limit (b, k, m, g)\n"
    "  --memory-swap SIZE     memory + swap limit (-1: unlimited)\n"
    "  --cpus N               CPU time (e.g. 0.5)\n"
    "  --cpu-shares N         relative CPU weight\n"
    "  --cpuset-cpus LIST     CPUs allowed (0-1, 0,2)\n"
    "  --pids-limit N         process limit\n"
    "  --cap-add CAP, --cap-drop CAP, --privileged\n"
    "  --security-opt seccomp=unconfined|FILE, --security-opt no-new-privileges[=false]\n"
    "  --userns auto|host     map container root to a subordinate uid range\n"
    "  --init, --no-init      a reaping, signal-forwarding PID 1 (default on)\n"
    "  --stop-signal SIG, --stop-timeout SECONDS\n"
    "  --net, --network NET   bridge (default), none, host, container:NAME, macvlan[:PARENT],\n"
    "                         ipvlan[:PARENT][,mode=l2|l3|l3s] or a network name (netrun network ls);\n"
    "                         repeat for more interfaces (eth0, eth1, ...)\n"
    "  -p, --publish [IP:]HOST:CTR[/tcp|udp|sctp]  publish ports (ranges: 8000-8001:80-81)\n"
    "  --ip ADDR, --mac-address MAC   address of the first network's interface\n"
    "  --dns IP, --dns-search DOMAIN, --dns-option OPT   /etc/resolv.conf\n"
    "  --add-host NAME:IP     an /etc/hosts entry (IP may be host-gateway)\n";

namespace {

struct Opt {
    std::string_view name;
    char short_name;
    bool value;
};

constexpr Opt kOpts[] = {
    {"name", 0, true},         {"detach", 'd', false},    {"rm", 0, false},          {"hostname", 'h', true},
    {"env", 'e', true},        {"env-file", 0, true},     {"workdir", 'w', true},    {"user", 'u', true},
    {"volume", 'v', true},     {"tmpfs", 0, true},        {"read-only", 0, false},   {"memory", 'm', true},
    {"memory-swap", 0, true},  {"cpus", 0, true},         {"cpu-shares", 'c', true}, {"cpuset-cpus", 0, true},
    {"pids-limit", 0, true},   {"cap-add", 0, true},      {"cap-drop", 0, true},     {"privileged", 0, false},
    {"security-opt", 0, true}, {"userns", 0, true},       {"init", 0, false},        {"no-init", 0, false},
    {"stop-signal", 0, true},  {"stop-timeout", 0, true}, {"net", 0, true},          {"network", 0, true},
    {"publish", 'p', true},    {"help", 0, false},        {"ip", 0, true},           {"mac-address", 0, true},
    {"mac", 0, true},          {"dns", 0, true},          {"dns-search", 0, true},   {"dns-option", 0, true},
    {"dns-opt", 0, true},      {"add-host", 0, true},
};

const Opt* find_long(std::string_view n) {
    for (const auto& o : kOpts)
        if (o.name == n) return &o;
    return nullptr;
}
const Opt* find_short(char c) {
    for (const auto& o : kOpts)
        if (o.short_name == c && c != 0) return &o;
    return nullptr;
}

Expected<long long> parse_int(std::string_view v, std::string_view option, long long min, long long max) {
    long long x = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
    if (ec != std::errc{} || p != v.data() + v.size() || x < min || x > max)
        return fail(Code::InvalidConfig, "invalid value \"" + std::string(v) + "\" for --" + std::string(option));
    return x;
}

Expected<> add_env_file(RunOptions& o, const std::string& file) {
    std::ifstream in(file);
    if (!in) return fail(Code::InvalidConfig, "--env-file " + file + ": cannot read the file");
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        if (line.find('=') == std::string::npos) {
            const char* v = std::getenv(line.c_str());
            if (v) o.env.push_back(line + "=" + v);
            continue;
        }
        o.env.push_back(line);
    }
    return {};
}

Expected<> apply(RunOptions& o, std::string_view name, const std::string& v) {
    if (name == "name") {
        if (!valid_name(v)) return fail(Code::InvalidConfig, "invalid container name \"" + v + "\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        o.name = v;
    } else if (name == "detach") o.detach = true;
    else if (name == "rm") o.rm = true;
    else if (name == "hostname") o.hostname = v;
    else if (name == "env") {
        if (v.find('=') == std::string::npos) {
            if (const char* h = std::getenv(v.c_str())) o.env.push_back(v + "=" + h);
        } else {
            o.env.push_back(v);
        }
    } else if (name == "env-file") return add_env_file(o, v);
    else if (name == "workdir") {
        if (v.empty() || v[0] != '/') return fail(Code::InvalidConfig, "--workdir must be an absolute path, got \"" + v + "\"");
        o.workdir = v;
    } else if (name == "user") {
        if (v.empty() || v.find_first_of(" /") != std::string::npos) return fail(Code::InvalidConfig, "invalid --user \"" + v + "\"");
        o.user = v;
    } else if (name == "volume") {
        auto a = v.find(':');
        if (a == std::string::npos) return fail(Code::InvalidConfig, "--volume " + v + ": expected SRC:DST[:ro]");
        auto b = v.find(':', a + 1);
        sandbox::VolumeMount m{v.substr(0, a), v.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1), false};
        std::string mode = b == std::string::npos ? "" : v.substr(b + 1);
        if (mode == "ro") m.read_only = true;
        else if (!mode.empty() && mode != "rw") return fail(Code::InvalidConfig, "--volume " + v + ": mode must be ro or rw");
        if (m.source.empty() || m.source[0] != '/')
            return fail(Code::InvalidConfig, "--volume " + v + ": the source must be an absolute host path (named volumes are not supported)");
        if (m.target.empty() || m.target[0] != '/') return fail(Code::InvalidConfig, "--volume " + v + ": the destination must be absolute");
        if (::access(m.source.c_str(), F_OK) != 0) return fail(Code::InvalidConfig, "--volume " + v + ": source " + m.source + " does not exist");
        o.volumes.push_back(m);
    } else if (name == "tmpfs") {
        auto c = v.find(':');
        sandbox::TmpfsMount t{v.substr(0, c), c == std::string::npos ? "" : v.substr(c + 1)};
        if (t.target.empty() || t.target[0] != '/') return fail(Code::InvalidConfig, "--tmpfs " + v + ": the destination must be absolute");
        o.tmpfs.push_back(t);
    } else if (name == "read-only") o.read_only = true;
    else if (name == "memory") {
        auto b = NETLIB_TRY(parse_bytes(v, "memory"));
        if (b < 6 * 1024 * 1024) return fail(Code::InvalidConfig, "--memory " + v + ": the minimum is 6m");
        o.resources.memory = b;
    } else if (name == "memory-swap") {
        o.resources.memory_swap = v == "-1" ? -1 : NETLIB_TRY(parse_bytes(v, "memory-swap"));
    } else if (name == "cpus") {
        char* end = nullptr;
        double c = std::strtod(v.c_str(), &end);
        long n = ::sysconf(_SC_NPROCESSORS_ONLN);
        if (v.empty() || *end || !(c > 0) || c > static_cast<double>(n))
            return fail(Code::InvalidConfig, "--cpus " + v + ": range of CPUs is from 0.01 to " + std::to_string(n));
        o.resources.cpus = c;
    } else if (name == "cpu-shares") {
        o.resources.cpu_shares = static_cast<std::uint64_t>(NETLIB_TRY(parse_int(v, name, 2, 262144)));
    } else if (name == "cpuset-cpus") {
        if (!std::regex_match(v, std::regex("[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*")))
            return fail(Code::InvalidConfig, "--cpuset-cpus " + v + ": expected a list like 0-1 or 0,2");
        o.resources.cpuset_cpus = v;
    } else if (name == "pids-limit") {
        o.resources.pids_limit = NETLIB_TRY(parse_int(v, name, -1, 1LL << 22));
    } else if (name == "cap-add") o.security.cap_add.push_back(v);
    else if (name == "cap-drop") o.security.cap_drop.push_back(v);
    else if (name == "privileged") o.security.privileged = true;
    else if (name == "security-opt") {
        if (v.starts_with("seccomp=") || v.starts_with("seccomp:")) {
            o.security.seccomp = v.substr(8);
            if (o.security.seccomp != "unconfined" && ::access(o.security.seccomp.c_str(), R_OK) != 0)
                return fail(Code::InvalidConfig, "--security-opt " + v + ": cannot read the profile");
        } else if (v == "no-new-privileges" || v == "no-new-privileges=true" || v == "no-new-privileges:true") {
            o.security.no_new_privs = true;
        } else if (v == "no-new-privileges=false" || v == "no-new-privileges:false") {
            o.security.no_new_privs = false;
        } else {
            return fail(Code::InvalidConfig, "--security-opt " + v + ": supported are seccomp=unconfined|FILE and no-new-privileges[=false]");
        }
    } else if (name == "userns") {
        if (v != "auto" && v != "host") return fail(Code::InvalidConfig, "--userns " + v + ": use auto or host");
        o.userns_auto = v == "auto";
    } else if (name == "init") o.init = true;
    else if (name == "no-init") o.init = false;
    else if (name == "stop-signal") o.stop_signal = NETLIB_TRY(parse_signal(v));
    else if (name == "stop-timeout") o.stop_timeout = static_cast<int>(NETLIB_TRY(parse_int(v, name, 0, 86400)));
    else if (name == "net" || name == "network") o.nets.push_back(v);
    else if (name == "publish") o.publish.push_back(v);
    else if (name == "ip") {
        if (!o.ip.empty()) return fail(Code::InvalidConfig, "--ip given twice");
        o.ip = v;
    } else if (name == "mac-address" || name == "mac") o.mac = v;
    else if (name == "dns") o.dns.push_back(v);
    else if (name == "dns-search") o.dns_search.push_back(v);
    else if (name == "dns-option" || name == "dns-opt") o.dns_options.push_back(v);
    else if (name == "add-host") o.add_hosts.push_back(v);
    return {};
}

}  // namespace

bool valid_name(std::string_view n) {
    static const std::regex re("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    return !n.empty() && n.size() <= 128 && std::regex_match(n.begin(), n.end(), re);
}

Expected<long long> parse_bytes(std::string_view v, std::string_view option) {
    if (v.empty()) return fail(Code::InvalidConfig, "empty value for --" + std::string(option));
    long long mult = 1;
    std::string_view num = v;
    char u = static_cast<char>(std::tolower(static_cast<unsigned char>(v.back())));
    if (std::isalpha(static_cast<unsigned char>(u))) {
        num = v.substr(0, v.size() - 1);
        if (u == 'b') mult = 1;
        else if (u == 'k') mult = 1LL << 10;
        else if (u == 'm') mult = 1LL << 20;
        else if (u == 'g') mult = 1LL << 30;
        else return fail(Code::InvalidConfig, "invalid size \"" + std::string(v) + "\" for --" + std::string(option) + " (use b, k, m or g)");
    }
    long long x = 0;
    auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), x);
    if (ec != std::errc{} || p != num.data() + num.size() || x <= 0 || x > (1LL << 50) / mult)
        return fail(Code::InvalidConfig, "invalid size \"" + std::string(v) + "\" for --" + std::string(option));
    return x * mult;
}

Expected<int> parse_signal(std::string_view v) {
    std::string s(v);
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (s.starts_with("SIG")) s = s.substr(3);
    if (!s.empty() && std::isdigit(static_cast<unsigned char>(s[0]))) {
        int n = std::atoi(s.c_str());
        if (n > 0 && n < 65 && s.find_first_not_of("0123456789") == std::string::npos) return n;
    }
    static const std::pair<const char*, int> kSigs[] = {
        {"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"KILL", SIGKILL}, {"USR1", SIGUSR1},
        {"USR2", SIGUSR2}, {"TERM", SIGTERM}, {"ALRM", SIGALRM}, {"STOP", SIGSTOP}, {"CONT", SIGCONT},
        {"PWR", SIGPWR},   {"WINCH", SIGWINCH}};
    for (auto [n, sig] : kSigs)
        if (s == n) return sig;
    return fail(Code::InvalidConfig, "invalid signal \"" + std::string(v) + "\"");
}

Expected<RunOptions> parse_run_options(std::span<const std::string_view> args) {
    RunOptions o;
    std::size_t i = 0;
    for (; i < args.size(); ++i) {
        std::string_view a = args[i];
        if (a == "--") {  // no image named: the built-in one
            for (++i; i < args.size(); ++i) o.cmd.emplace_back(args[i]);
            return o;
        }
        if (a.size() < 2 || a[0] != '-') break;  // the image: everything after it is the command
        const Opt* opt = nullptr;
        std::string value;
        bool inline_value = false;
        if (a[1] == '-') {
            auto body = a.substr(2);
            auto eq = body.find('=');
            opt = find_long(body.substr(0, eq));
            if (eq != std::string_view::npos) value = std::string(body.substr(eq + 1)), inline_value = true;
        } else {
            opt = find_short(a[1]);
            if (a.size() > 2) value = std::string(a.substr(2)), inline_value = true;
        }
        if (!opt) return fail(Code::InvalidConfig, "unknown option " + std::string(a) + "; see 'netrun run --help'");
        if (opt->name == "help") return fail(Code::InvalidConfig, "help");
        if (opt->value && !inline_value) {
            if (++i >= args.size()) return fail(Code::InvalidConfig, "option " + std::string(a) + " needs a value");
            value = std::string(args[i]);
        }
        NETLIB_TRYV(apply(o, opt->name, value));
    }
    if (i < args.size()) o.image = std::string(args[i++]);
    if (i < args.size() && args[i] == "--") ++i;
    for (; i < args.size(); ++i) o.cmd.emplace_back(args[i]);
    return o;
}

}  // namespace netrun::lifecycle
