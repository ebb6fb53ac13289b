#pragma once
// The iptables masquerade rules as text: pure functions of (request, current nat table),
// so what ADD/DEL/GC send to iptables-restore and what CHECK accepts is unit-testable.
//
// Layout (nat table, same as the reference plugins, per family):
//   :CNI-<hash> - [0:0]
//   -A CNI-<hash> -d <subnet> -m comment --comment "<c>" -j ACCEPT        (one per subnet)
//   -A CNI-<hash> ! -d 224.0.0.0/4 -m comment --comment "<c>" -j MASQUERADE   (ff00::/8 v6)
//   -A POSTROUTING -s <ip>/32 -m comment --comment "<c>" -j CNI-<hash>    (one per address)
// with <c> = name: "<network>" id: "<containerID>". Unlike the reference, all ACCEPTs come
// before the MASQUERADE, so a second address in another subnet is not masqueraded to it.
// Comments longer than the 255 bytes iptables keeps are cut to 255 bytes up front; GC then
// still recognises the network by the comment and the container by the chain name.
#include <span>
#include <string>
#include <string_view>

#include "netlib/error.hpp"
#include "netlib/ip/addr.hpp"
#include "netlib/nat/iptables_save.hpp"
#include "netlib/nat/masq.hpp"

namespace netlib::nat {

// Batch that (re)creates the container's chain and jumps for req's addresses of family f,
// first deleting any rule in `current` that jumps to that chain (so ADD twice is one set).
std::string masq_add_batch(const MasqRequest& req, ip::Family f, const SavedTable& current);

// masq_add_batch without reading the table, for a container that has no chain yet: `-N`
// makes iptables-restore refuse the whole batch when the chain exists (then no jump of an
// earlier ADD can be left behind either); the caller then reads the table and goes on.
std::string masq_new_container_add_batch(const MasqRequest& req, ip::Family f);

// Batch removing exactly what masq_add_batch(req, f, <no rules of this container>) adds,
// without reading the table: fails as a whole (iptables-restore) when any of it is missing.
std::string masq_known_del_batch(const MasqRequest& req, ip::Family f);

// Batch removing every rule that jumps to `chain` and the chain itself; empty when
// `current` holds none of it (then no restore is needed at all).
std::string masq_del_batch(std::string_view chain, const SavedTable& current);

// Batch removing the masquerade chains and jumps owned (per rule comment) by containers
// of `network` whose ID is not in valid_ids; empty when there is nothing to remove.
std::string masq_gc_batch(std::string_view network, std::span<const std::string> valid_ids,
                          const SavedTable& current);

// Succeeds when `current` holds the chain, its ACCEPT/MASQUERADE rules and the jumps for
// every address of family f in req; else Code::Conflict naming what is missing.
Expected<> masq_check_rules(const MasqRequest& req, ip::Family f, const SavedTable& current);

}  // namespace netlib::nat
