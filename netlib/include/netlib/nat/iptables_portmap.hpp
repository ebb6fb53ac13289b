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
    Expected<> del(std::string_view network, std::string_view container_id) override;
    // Per family of req, one iptables-restore of the inverse of ADD's container rules (no
    // iptables-save first); the read-then-delete path when that does not apply.
    Expected<> del_known(const PortmapRequest& req) override;
    Expected<> check(const PortmapRequest& req) override;
    Expected<> gc(std::string_view network, std::span<const std::string> valid_ids) override;

  private:
    Expected<> add_family(const PortmapRequest& req, ip::Family f);
    Expected<> del_family(std::string_view network, std::string_view container_id, ip::Family f);
    std::vector<ip::Family> families_present() const;

    Iptables ipt_;
};

}  // namespace netlib::nat
