#pragma once
// Where leases live. The allocator only talks to this interface, so its logic is tested
// against an in-memory fake; DiskStore (disk_store.hpp) is the host-local on-disk layout.
// A Store object represents exclusive access: implementations hold their lock for their
// whole lifetime, so a sequence of calls is atomic with respect to other processes.
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "netlib/cni/skel.hpp"
#include "netlib/error.hpp"
#include "netlib/ip/addr.hpp"

namespace ipam {

using netlib::Expected;
using netlib::cni::Attachment;
namespace ip = netlib::ip;

// One leased address and who holds it, as read back from the store.
struct Lease {
    netlib::ip::Addr addr;
    std::string container_id;           // empty: the lease names no owner (crash residue)
    std::optional<std::string> ifname;  // nullopt: legacy lease recording only the id

    // Owned by `a`: same id and ifname, or a legacy lease of the same id.
    bool held_by(const Attachment& a) const {
        return container_id == a.container_id && (!ifname || *ifname == a.ifname);
    }
};

class Store {
  public:
    virtual ~Store() = default;

    // Claim `addr` for `who`. false (not an error) when the address is already leased.
    virtual Expected<bool> reserve(const netlib::ip::Addr& addr, const Attachment& who) = 0;
    // Drop the lease of `addr`; already free is success.
    virtual Expected<> release(const netlib::ip::Addr& addr) = 0;
    virtual Expected<bool> is_leased(const netlib::ip::Addr& addr) = 0;

    // Round-robin position of range set `set`, if recorded and readable.
    virtual Expected<std::optional<netlib::ip::Addr>> last_reserved(std::size_t set) = 0;
    virtual Expected<> set_last_reserved(std::size_t set, const netlib::ip::Addr& addr) = 0;

    // Addresses `who` holds, found cheaply: may miss leases this store did not record itself
    // (e.g. written by another implementation). Used for the duplicate-allocation check.
    virtual Expected<std::vector<netlib::ip::Addr>> held_fast(const Attachment& who) = 0;
    // Every address `who` holds: its own leases, or, when it has none, legacy id-only ones.
    virtual Expected<std::vector<netlib::ip::Addr>> held(const Attachment& who) = 0;
    // Release everything held(who) would return; returns what was released.
    virtual Expected<std::vector<netlib::ip::Addr>> release_all(const Attachment& who) = 0;
    // Called once an allocation for `who` is complete (lets a store index it).
    virtual Expected<> remember(const Attachment& who, std::span<const netlib::ip::Addr> addrs) = 0;

    // Every lease (GC).
    virtual Expected<std::vector<Lease>> leases() = 0;
    // Drop bookkeeping about attachments other than `valid` (GC), leases excluded.
    virtual Expected<> forget_except(std::span<const Attachment> valid) = 0;
};

}  // namespace ipam
