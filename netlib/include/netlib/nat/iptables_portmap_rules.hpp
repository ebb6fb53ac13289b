#pragma once
// The iptables port-mapping rules as text: pure functions of (request, current tables), so
// what ADD/DEL/GC send to iptables-restore and what CHECK accepts is unit-testable.
//
// Layout (nat table, chain names as the reference portmap plugin, per family):
//   PREROUTING / OUTPUT: -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT
//   CNI-HOSTPORT-DNAT:   -p <proto> [conditions] -m comment --comment "dnat name: .. id: .."
//                        -m multiport --dports <ports> -j CNI-DN-<hash>   (one per protocol)
//   CNI-DN-<hash>:       [-d hostIP] -s <containerIP> ... -j CNI-HOSTPORT-SETMARK  (hairpin)
//                        [-d hostIP] -s 127.0.0.1 ... -j CNI-HOSTPORT-SETMARK    (v4 localhost)
//                        [-d hostIP] -p <proto> --dport <hp> -j DNAT --to-destination <ip:cp>
//   CNI-HOSTPORT-SETMARK: -j MARK --set-xmark <bit>/<bit>
//   CNI-HOSTPORT-MASQ:   -m mark --mark <bit>/<bit> -j MASQUERADE  (jumped to from POSTROUTING)
// raw table (IPv4, when 127.0.0.1 is published): PREROUTING -j CNI-HOSTPORT-LOCALGUARD,
//   which drops packets to 127.0.0.0/8 arriving on any interface but lo: route_localnet on
//   the bridge must not let other hosts reach the host's loopback services.
#include <span>
#include <string>
#include <string_view>

#include "netlib/error.hpp"
#include "netlib/ip/addr.hpp"
#include "netlib/nat/iptables_save.hpp"
#include "netlib/nat/portmap.hpp"

namespace netlib::nat {

inline constexpr std::string_view kHostportDnatChain = "CNI-HOSTPORT-DNAT";
inline constexpr std::string_view kHostportSetmarkChain = "CNI-HOSTPORT-SETMARK";
inline constexpr std::string_view kHostportMasqChain = "CNI-HOSTPORT-MASQ";
inline constexpr std::string_view kLocalGuardChain = "CNI-HOSTPORT-LOCALGUARD";

std::string dnat_chain_name(std::string_view network, std::string_view container_id);
// `dnat name: "<network>" id: "<id>"` as the reference tags its jump rules.
std::string dnat_comment(std::string_view network, std::string_view container_id);

// Whether ADD of req on family f needs the raw-table localhost guard.
bool needs_local_guard(const PortmapRequest& req, ip::Family f);

// nat (and raw, when needs_local_guard) batch replacing the container's rules of family f.
// Empty when req publishes nothing on f (or the container has no address of f).
std::string portmap_add_batch(const PortmapRequest& req, ip::Family f, const SavedTable& nat,
                              const SavedTable& raw);

// portmap_add_batch without reading the tables, for the common case: the shared chains,
// jumps and guard are in place (`-C` lines check each) and the container has no chain yet
// (`-N` creates it). iptables-restore applies it whole or not at all; when it is refused,
// the caller falls back to reading the tables. Adding rules only also keeps the commit
// free of the RCU grace period a deletion costs. Empty when req publishes nothing on f.
// shared_known: the caller has seen the shared chains, jumps and guard in place
// (nft_chain_rules.hpp), so the batch checks none of them: the nat table alone.
std::string portmap_new_container_add_batch(const PortmapRequest& req, ip::Family f,
                                            bool shared_known = false);

// Removes exactly the container rules portmap_add_batch adds for req on family f (jumps
// from CNI-HOSTPORT-DNAT, the CNI-DN chain), without reading the table; the shared chains
// stay. Empty when req publishes nothing on f. Fails as a whole when anything is missing.
std::string portmap_known_del_batch(const PortmapRequest& req, ip::Family f);

// Removes the jumps to the container's CNI-DN chain and the chain; empty if none exists.
std::string portmap_del_batch(std::string_view network, std::string_view container_id,
                              const SavedTable& nat);

// Removes the state of containers of `network` not in valid_ids; empty if nothing to do.
std::string portmap_gc_batch(std::string_view network, std::span<const std::string> valid_ids,
                             const SavedTable& nat);

Expected<> portmap_check_rules(const PortmapRequest& req, ip::Family f, const SavedTable& nat);

}  // namespace netlib::nat
