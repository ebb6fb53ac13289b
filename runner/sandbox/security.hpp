#pragma once
// The container's privileges, applied in the child after its filesystem is in place and
// before exec: user, capabilities (Docker's default 14 unless told otherwise), no_new_privs
// and a seccomp filter.
#include <cstdint>
#include <string>

#include "spec.hpp"

namespace netrun::sandbox {

// Capability number of "NET_ADMIN" / "CAP_NET_ADMIN" (case-insensitive), or -1.
int capability_number(const std::string& name);
// Docker's default set with cap_add/cap_drop applied ("ALL" allowed); error names a bad cap.
netlib::Expected<std::uint64_t> capability_set(const Security& sec);

// "uid[:gid]" or a user name looked up in /etc/passwd of the current root.
struct Ids {
    unsigned uid = 0, gid = 0;
};
netlib::Expected<Ids> resolve_user(const std::string& user);

// In order: bounding set, setgroups/setgid/setuid, capset, no_new_privs, seccomp.
netlib::Expected<> apply_security(const Security& sec, const Ids& ids);

// The seccomp filter alone (exec_in uses the default one).
netlib::Expected<> apply_seccomp(const Security& sec);

}  // namespace netrun::sandbox
