#pragma once
// MasqBackend on iptables: per operation and family one `iptables-save -t nat` read and at
// most one `iptables-restore --noflush` batch. ADD only touches the families of its
// addresses; DEL and GC look at both unless told the container's families.
#include "netlib/nat/iptables_exec.hpp"
#include "netlib/nat/masq.hpp"
#include "netlib/sys/files.hpp"

namespace netlib::nat {

// Where the per-container locks between an ADD's iptables-restore and a later DEL live.
inline constexpr std::string_view kMasqLockDir = "/var/lib/cni/netrun-masq";

class IptablesMasq final : public MasqBackend {
  public:
    // Pass IptablesTools::legacy() / ::nft() to pin a flavour; the default uses the plain
    // names (the distribution's alternatives choice).
    explicit IptablesMasq(IptablesTools tools = {}) : ipt_(std::move(tools)) {}

    std::string_view name() const override { return "iptables"; }
    Expected<> add(const MasqRequest& req) override;
    // Starts one iptables-restore per family of a new container (no save); finish() waits
    // for them and takes the read-then-write path for a family whose batch was refused.
    Expected<std::unique_ptr<PendingMasqAdd>> start_add(const MasqRequest& req) override;
    Expected<> del(std::string_view network, std::string_view container_id) override;
    // One iptables-restore per family with the deletions ADD implies (no iptables-save
    // first); when that batch does not apply (rules changed by hand, already gone), the
    // read-then-delete of del().
    Expected<> del_known(const MasqRequest& req) override;
    Expected<> check(const MasqRequest& req) override;
    Expected<> gc(std::string_view network, std::span<const std::string> valid_ids) override;

  private:
    class PendingAdd;
    // An ADD's iptables-restore can outlive a SIGKILLed plugin and write after the runtime's
    // DEL has looked. ADD passes this lock to its tools, so the DEL (or GC) of the same
    // container waits for them. One of 16 stripes, picked by the container's chain, so
    // parallel ADDs of different containers rarely wait for each other.
    static Expected<sys::FileLock> lock_container(std::string_view chain,
                                                  sys::FileLock::Children children);
    // GC: every stripe, in order (ADD and DEL take one, so this cannot deadlock).
    static Expected<std::vector<sys::FileLock>> lock_all();
    // The read-then-write ADD of one family (any earlier rules of the container replaced).
    Expected<> add_family_reading(const MasqRequest& req, ip::Family f);
    Expected<> del_family(std::string_view chain, ip::Family f);
    // Families DEL/GC must look at: those whose tools exist (and v6 only with IPv6 in
    // the kernel), since rules cannot exist where the tools or the protocol do not.
    std::vector<ip::Family> families_present() const;

    Iptables ipt_;
};

}  // namespace netlib::nat
