// seccomp: the default profile is an allowlist in the spirit of Docker's — every syscall this
// libseccomp knows for the native arch is allowed except those that manage the host (mounts,
// namespaces, modules, keyrings, clocks, bpf, reboot, ...); anything newer or unknown gets
// EPERM, and clone with namespace flags is refused. `seccomp=FILE` takes a Docker-format
// JSON profile (defaultAction, syscalls[].names/action/errnoRet).
#include <sched.h>
#include <seccomp.h>

#include <cerrno>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "security.hpp"

namespace netrun::sandbox {

using netlib::Code;
using netlib::fail;

namespace {

const std::set<std::string> kDenied = {
    "mount", "umount", "umount2", "unshare", "setns", "pivot_root", "fsopen", "fsmount", "fsconfig", "fspick",
    "move_mount", "open_tree", "mount_setattr", "keyctl", "add_key", "request_key", "kexec_load",
    "kexec_file_load", "init_module", "finit_module", "delete_module", "create_module", "bpf", "perf_event_open",
    "reboot", "swapon", "swapoff", "acct", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
    "stime", "open_by_handle_at", "name_to_handle_at", "userfaultfd", "lookup_dcookie", "quotactl",
    "quotactl_fd", "nfsservctl", "syslog", "vhangup", "iopl", "ioperm", "get_kernel_syms", "query_module",
    "uselib", "ustat", "sysfs", "_sysctl", "vm86", "vm86old", "kcmp", "fanotify_init", "pidfd_getfd",
    "process_madvise", "mbind", "set_mempolicy", "move_pages", "migrate_pages", "clone3"};

struct Ctx {
    scmp_filter_ctx ctx;
    ~Ctx() {
        if (ctx) seccomp_release(ctx);
    }
};

netlib::Expected<> load(Ctx& c, const char* what) {
    int rc = seccomp_load(c.ctx);
    if (rc != 0) return netlib::fail_errno(Code::Kernel, std::string("load ") + what + " seccomp filter", -rc);
    return {};
}

netlib::Expected<> default_profile() {
    Ctx c{seccomp_init(SCMP_ACT_ERRNO(EPERM))};
    if (!c.ctx) return fail(Code::Kernel, "seccomp_init failed");
    for (int nr = 0; nr < 1024; ++nr) {
        char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
        if (!name) continue;
        std::string n(name);
        std::free(name);
        if (kDenied.count(n) || n == "clone") continue;
        (void)seccomp_rule_add(c.ctx, SCMP_ACT_ALLOW, nr, 0);
    }
    // clone3's flags live in memory seccomp cannot read: ENOSYS makes libc fall back to clone,
    // whose flags are checked here (no new namespaces).
    (void)seccomp_rule_add(c.ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
    const std::uint64_t ns_flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |
                                   CLONE_NEWNET | CLONE_NEWCGROUP | CLONE_NEWTIME;
    if (seccomp_rule_add(c.ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1, SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags, 0)) != 0)
        return fail(Code::Kernel, "seccomp: cannot add the clone rule");
    return load(c, "default");
}

netlib::Expected<std::uint32_t> action(const std::string& a, int errno_ret) {
    if (a == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
    if (a == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(static_cast<std::uint16_t>(errno_ret));
    if (a == "SCMP_ACT_KILL" || a == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL;
    if (a == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
    if (a == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
    if (a == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
    return fail(Code::InvalidConfig, "seccomp profile: unsupported action \"" + a + "\"");
}

netlib::Expected<> file_profile(const std::string& path) {
    std::ifstream in(path);
    if (!in) return fail(Code::InvalidConfig, "cannot read seccomp profile " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    auto j = nlohmann::json::parse(ss.str(), nullptr, false);
    if (!j.is_object() || !j["defaultAction"].is_string())
        return fail(Code::InvalidConfig, "seccomp profile " + path + " is not a JSON object with \"defaultAction\"");
    auto def = NETLIB_TRY(action(j["defaultAction"], j.value("defaultErrnoRet", EPERM)));
    Ctx c{seccomp_init(def)};
    if (!c.ctx) return fail(Code::Kernel, "seccomp_init failed");
    for (const auto& s : j.value("syscalls", nlohmann::json::array())) {
        if (!s.is_object() || !s["action"].is_string()) continue;
        auto act = NETLIB_TRY(action(s["action"], s.value("errnoRet", EPERM)));
        if (act == def) continue;
        for (const auto& n : s.value("names", nlohmann::json::array())) {
            if (!n.is_string()) continue;
            int nr = seccomp_syscall_resolve_name(n.get<std::string>().c_str());
            if (nr != __NR_SCMP_ERROR) (void)seccomp_rule_add(c.ctx, act, nr, 0);
        }
    }
    return load(c, path.c_str());
}

}  // namespace

netlib::Expected<> apply_seccomp(const Security& sec) {
    if (sec.privileged || sec.seccomp == "unconfined") return {};
    if (!sec.seccomp.empty()) return file_profile(sec.seccomp);
    return default_profile();
}

}  // namespace netrun::sandbox
