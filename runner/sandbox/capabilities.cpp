#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <fstream>

#include "security.hpp"

namespace netrun::sandbox {

using netlib::Code;
using netlib::fail;

namespace {

constexpr const char* kNames[] = {
    "CHOWN",          "DAC_OVERRIDE",   "DAC_READ_SEARCH",    "FOWNER",       "FSETID",        "KILL",
    "SETGID",         "SETUID",         "SETPCAP",            "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST",
    "NET_ADMIN",      "NET_RAW",        "IPC_LOCK",           "IPC_OWNER",    "SYS_MODULE",    "SYS_RAWIO",
    "SYS_CHROOT",     "SYS_PTRACE",     "SYS_PACCT",          "SYS_ADMIN",    "SYS_BOOT",      "SYS_NICE",
    "SYS_RESOURCE",   "SYS_TIME",       "SYS_TTY_CONFIG",     "MKNOD",        "LEASE",         "AUDIT_WRITE",
    "AUDIT_CONTROL",  "SETFCAP",        "MAC_OVERRIDE",       "MAC_ADMIN",    "SYSLOG",        "WAKE_ALARM",
    "BLOCK_SUSPEND",  "AUDIT_READ",     "PERFMON",            "BPF",          "CHECKPOINT_RESTORE"};

// Docker's default set (moby oci/caps/defaults.go).
constexpr const char* kDefault[] = {"CHOWN",  "DAC_OVERRIDE", "FSETID",  "FOWNER",           "MKNOD",
                                    "NET_RAW", "SETGID",      "SETUID",  "SETFCAP",          "SETPCAP",
                                    "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE"};

int last_cap() {
    std::ifstream in("/proc/sys/kernel/cap_last_cap");
    int n = 40;
    in >> n;
    return std::min<int>(n, static_cast<int>(std::size(kNames)) - 1);
}

}  // namespace

int capability_number(const std::string& name) {
    std::string n = name;
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::toupper(c); });
    if (n.starts_with("CAP_")) n = n.substr(4);
    for (std::size_t i = 0; i < std::size(kNames); ++i)
        if (n == kNames[i]) return static_cast<int>(i);
    return -1;
}

netlib::Expected<std::uint64_t> capability_set(const Security& sec) {
    const std::uint64_t all = (last_cap() >= 63) ? ~0ULL : ((1ULL << (last_cap() + 1)) - 1);
    if (sec.privileged) return all;
    std::uint64_t set = 0;
    for (const char* c : kDefault) set |= 1ULL << capability_number(c);
    auto apply = [&](const std::vector<std::string>& names, bool add) -> netlib::Expected<> {
        for (const auto& n : names) {
            std::uint64_t bits;
            if (n == "ALL" || n == "all") {
                bits = all;
            } else {
                int c = capability_number(n);
                if (c < 0) return fail(Code::InvalidConfig, "unknown capability \"" + n + "\"");
                bits = 1ULL << c;
            }
            set = add ? (set | bits) : (set & ~bits);
        }
        return {};
    };
    NETLIB_TRYV(apply(sec.cap_drop, false));  // as docker: --cap-drop ALL --cap-add X keeps X
    NETLIB_TRYV(apply(sec.cap_add, true));
    return set & all;
}

namespace {

// What this process may hand on: --privileged means "everything we have", not more (this
// host, for one, does not grant CAP_SYS_RESOURCE).
std::uint64_t permitted_now() {
    __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2]{};
    if (::syscall(SYS_capget, &hdr, data) != 0) return ~0ULL;
    return (static_cast<std::uint64_t>(data[1].permitted) << 32) | data[0].permitted;
}

}  // namespace

netlib::Expected<> apply_security(const Security& sec, const Ids& ids) {
    auto caps = NETLIB_TRY(capability_set(sec)) & permitted_now();
    for (int c = 0; c <= last_cap(); ++c)
        if (!(caps & (1ULL << c)) && ::prctl(PR_CAPBSET_DROP, c, 0, 0, 0) != 0 && errno != EINVAL)
            return netlib::fail_errno(Code::Kernel, "drop capability from the bounding set", errno);
    if (::setgroups(0, nullptr) != 0 && errno != EPERM) return netlib::fail_errno(Code::Kernel, "setgroups", errno);
    if (::setgid(ids.gid) != 0) return netlib::fail_errno(Code::InvalidConfig, "setgid " + std::to_string(ids.gid), errno);
    if (::setuid(ids.uid) != 0) return netlib::fail_errno(Code::InvalidConfig, "setuid " + std::to_string(ids.uid), errno);
    if (ids.uid == 0) {  // a non-root user lost its capabilities with setuid, as in docker
        __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
        __user_cap_data_struct data[2]{};
        for (int i = 0; i < 2; ++i) {
            auto word = static_cast<std::uint32_t>(caps >> (32 * i));
            data[i].effective = data[i].permitted = data[i].inheritable = word;
        }
        if (::syscall(SYS_capset, &hdr, data) != 0) return netlib::fail_errno(Code::Kernel, "capset", errno);
    }
    (void)::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    if (sec.no_new_privs && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return netlib::fail_errno(Code::Kernel, "no_new_privs", errno);
    return apply_seccomp(sec);
}

}  // namespace netrun::sandbox
