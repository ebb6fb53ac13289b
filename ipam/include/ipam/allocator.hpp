#pragma once
// Address allocation over a Store: one address per range set, round-robin from the last
// reserved one, all or nothing. The common case costs O(1) store probes: the address after
// the last reserved one is usually free.
#include <span>
#include <vector>

#include "ipam/range.hpp"
#include "ipam/store.hpp"
#include "netlib/cni/types.hpp"

namespace ipam {

class Allocator {
  public:
    Allocator(Store& store, std::span<const RangeSet> sets) : store_(store), sets_(sets) {}

    // One IpConfig per range set, in set order. Each requested address must lie in a range
    // of a distinct set; other sets get the next free address. Errors: 7 (requested address
    // outside every range set, two in one set), 102 (requested address taken or a gateway;
    // `who` already holds an address in a set), 101 (a set has no free address). On error
    // nothing stays reserved.
    Expected<std::vector<netlib::cni::IpConfig>> allocate(const Attachment& who,
                                                          std::span<const ip::Addr> requested);

    // Indices of the range sets in which no address is free (STATUS).
    Expected<std::vector<std::size_t>> exhausted();

  private:
    Expected<std::vector<std::optional<ip::Addr>>> assign_requested(
        std::span<const ip::Addr> requested) const;
    Expected<> check_duplicate(const Attachment& who) const;
    Expected<netlib::cni::IpConfig> take(std::size_t set, const Attachment& who,
                                         const std::optional<ip::Addr>& requested);

    Store& store_;
    std::span<const RangeSet> sets_;
};

// GC: release every lease whose holder is not in `valid` (legacy id-only leases match on the
// id; leases naming no holder are crash residue and go too), then drop the store's
// bookkeeping for those attachments. Carries on past errors and reports them all.
Expected<> collect_garbage(Store& store, std::span<const Attachment> valid);

}  // namespace ipam
