#pragma once
// Who published which host port: the records behind portmap's conflict check. Kept on disk
// under one flock, so parallel plugin processes see each other's claims, and written before
// any rule exists, so a crash mid-ADD leaves a record DEL or GC can find (never a rule
// without a record).
//
// Layout under dir (default /var/lib/cni/netrun-portmap):
//   lock                         flock()ed for the lifetime of a PortOwners
//   ports/<proto>-<port>/<hostIP|any>   "<network>\n<containerID>\n"
//   owners/<CNI-DN chain name>   "<network>\n<containerID>\n", "backend=<name>", then one
//                                claimed key per line
// A claim on "any" conflicts with every hostIP of the same protocol and port and vice versa.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "netlib/error.hpp"
#include "netlib/nat/names.hpp"
#include "netlib/nat/portmap.hpp"
#include "netlib/sys/files.hpp"

namespace netlib::nat {

inline constexpr std::string_view kPortOwnersDir = "/var/lib/cni/netrun-portmap";

class PortOwners {
  public:
    // Takes the lock (blocking); everything done through the object is serialised with
    // other processes until it is destroyed.
    static Expected<PortOwners> open(std::string dir = std::string(kPortOwnersDir));

    // Records owner's mappings, replacing its earlier claims. Fails with Code::PortConflict
    // naming the other container when a port is taken; then nothing is recorded.
    // backend: the PortmapBackend name that will hold the rules (DEL then asks only it).
    Expected<> claim(const Owner& owner, std::span<const PortMapping> mappings,
                     std::string_view backend);

    // Whether owner has a record: claims are recorded before any rule exists, so without
    // one there is nothing of owner's to remove (rules of another implementation: GC).
    bool recorded(const Owner& owner) const;

    // The backend recorded by claim(); empty when unknown (no record, older record).
    std::string backend_of(const Owner& owner) const;

    // Drops every claim of owner; nothing recorded is success.
    Expected<> release(const Owner& owner);

    // Owners of `network` that have records.
    Expected<std::vector<Owner>> owners(std::string_view network) const;

  private:
    PortOwners(std::string dir, sys::FileLock lock)
        : dir_(std::move(dir)), lock_(std::move(lock)) {}
    std::string owner_file(const Owner& o) const;

    std::string dir_;
    sys::FileLock lock_;
};

}  // namespace netlib::nat
