#pragma once
// Names and contents of the files in a host-local network directory. The lease layout is the
// reference plugin's; the index files are ours and are built so the reference ignores them:
// its DEL/CHECK compare each file's whole (trimmed) content with "<id>\r\n<ifname>" or
// "<id>", which an index (it starts with a header line holding a space) never equals, and it
// only treats names that parse as IP addresses as leases.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ipam/store.hpp"

namespace ipam::files {

inline constexpr std::string_view kLock = "lock";
inline constexpr std::string_view kLastReservedPrefix = "last_reserved_ip.";
inline constexpr std::string_view kIndexPrefix = "netrun-attach.";
// Scratch names, only ever used with the lock held, so one fixed name each is enough and a
// leftover from a killed process is simply removed by the next one.
inline constexpr const char* kLeaseTmp = "netrun-lease.tmp";
inline constexpr const char* kWriteTmp = "netrun-write.tmp";

std::string last_reserved_name(std::size_t set);

// "<id>\r\n<ifname>", byte for byte what the reference writes.
std::string lease_content(const Attachment& who);
Lease parse_lease(const netlib::ip::Addr& addr, std::string_view content);
// The address a lease file is named after; only the canonical text form counts.
std::optional<netlib::ip::Addr> lease_addr(std::string_view name);

// "netrun-attach.<id>:<ifname>" (neither part can hold ':'); empty when too long for a name.
std::string index_name(const Attachment& who);
std::optional<Attachment> parse_index_name(std::string_view name);
std::string index_content(std::span<const netlib::ip::Addr> addrs);
// nullopt when the content is not an index we wrote.
std::optional<std::vector<netlib::ip::Addr>> parse_index(std::string_view content);

}  // namespace ipam::files
