#pragma once
// PortmapBackend on iptables: per operation and family one iptables-save and at most one
// iptables-restore --noflush batch (nat, plus raw for the localhost guard).
#include "netlib/nat/iptables_exec.hpp"
#include "netlib/nat/portmap.hpp"

namespace netlib::nat {

class IptablesPortmap final : public PortmapBackend {
  public:
    explicit IptablesPortmap(IptablesTools tools = {}) : ipt_(std::move(tools)) {}

    std::string_view name() const override { return "iptables"; }
    Expected<> add(const PortmapRequest& req) override;
    // Starts one iptables-restore per family of the container, fed in finish().
    Expected<std::unique_ptr<PendingPortmapAdd>> start_add(const PortmapRequest& req) override;
    Expected<> del(std::string_view network, std::string_view container_id) override;
    // Per family of req, one iptables-restore of the inverse of ADD's container rules (no
    // iptables-save first); the read-then-delete path when that does not apply.
    Expected<> del_known(const PortmapRequest& req) override;
    Expected<> check(const PortmapRequest& req) override;
    Expected<> gc(std::string_view network, std::span<const std::string> valid_ids) override;

  private:
    class PendingAdd;
    // The batch of a new container on a set-up host; empty when the host is known not to
    // be set up (then only the read path can do it).
    std::string new_container_batch(const PortmapRequest& req, ip::Family f) const;
    // The read-then-write ADD of one family (iptables-save, then a batch computed from it).
    Expected<> add_family_reading(const PortmapRequest& req, ip::Family f);
    Expected<> del_family(std::string_view network, std::string_view container_id, ip::Family f);
    std::vector<ip::Family> families_present() const;

    Iptables ipt_;
};

}  // namespace netlib::nat
