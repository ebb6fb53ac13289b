#pragma once
// The host-local on-disk store, compatible with the reference plugin:
//   <dataDir>/<network>/            0755
//     <ip>                          lease, "<containerID>\r\n<ifname>", 0600 (legacy: "<id>")
//     last_reserved_ip.<set>        round-robin position of range set <set>
//     lock                          flock()ed for the lifetime of a DiskStore
// plus files the reference ignores: netrun-attach.<id>:<ifname> indexes which addresses an
// attachment holds, so DEL/CHECK need not read every lease; the index is a hint verified
// against the lease files, and a missing or stale one falls back to the reference's scan.
// Leases appear atomically (written to a scratch file, then link()ed to the address name,
// which fails with EEXIST like O_EXCL), so a killed process never leaves a half-written one.
#include <memory>
#include <string>

#include "ipam/store.hpp"
#include "netlib/sys/fd.hpp"
#include "netlib/sys/files.hpp"

namespace ipam {

class DiskStore final : public Store {
  public:
    enum class Mode { Create, Existing };

    // Opens <data_dir>/<network> (Create: making it and its parents) and takes its lock.
    // Existing: returns nullptr when the directory does not exist (nothing is leased).
    static Expected<std::unique_ptr<DiskStore>> open(const std::string& data_dir,
                                                     const std::string& network, Mode mode);
    ~DiskStore() override;
    DiskStore(const DiskStore&) = delete;
    DiskStore& operator=(const DiskStore&) = delete;

    const std::string& dir() const { return dir_; }

    Expected<bool> reserve(const ip::Addr& addr, const Attachment& who) override;
    Expected<> release(const ip::Addr& addr) override;
    Expected<bool> is_leased(const ip::Addr& addr) override;
    Expected<std::optional<ip::Addr>> last_reserved(std::size_t set) override;
    Expected<> set_last_reserved(std::size_t set, const ip::Addr& addr) override;
    Expected<std::vector<ip::Addr>> held_fast(const Attachment& who) override;
    Expected<std::vector<ip::Addr>> held(const Attachment& who) override;
    Expected<std::vector<ip::Addr>> release_all(const Attachment& who) override;
    Expected<> remember(const Attachment& who, std::span<const ip::Addr> addrs) override;
    Expected<std::vector<Lease>> leases() override;
    Expected<> forget_except(std::span<const Attachment> valid) override;

  private:
    DiskStore(std::string dir, netlib::sys::Fd dirfd, netlib::sys::FileLock lock);

    // Small-file primitives relative to the directory fd.
    Expected<std::optional<std::string>> read(const std::string& name) const;  // nullopt: ENOENT
    Expected<> replace(const std::string& name, std::string_view data);
    Expected<> remove(const std::string& name) const;  // ENOENT is success
    Expected<bool> create_exclusive(const std::string& name, std::string_view data);
    Expected<netlib::sys::Fd> create_scratch(const char* name);
    Expected<> prepare_lease_tmp(const std::string& content);

    struct Lookup {
        std::vector<ip::Addr> addrs;
        bool complete = false;  // the index listed exactly verified leases
    };
    Expected<Lookup> lookup_indexed(const Attachment& who) const;
    Expected<std::vector<ip::Addr>> scan(const Attachment& who) const;
    std::string path(std::string_view name) const { return dir_ + "/" + std::string(name); }

    std::string dir_;
    netlib::sys::Fd dirfd_;
    netlib::sys::FileLock lock_;
    std::string tmp_content_;  // what kLeaseTmp currently holds; empty: absent
    bool use_link_ = true;     // false once the filesystem refused link()
};

}  // namespace ipam
