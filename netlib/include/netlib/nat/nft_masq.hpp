#pragma once
// MasqBackend on nftables (bridge ipMasqBackend "nftables"), in-process via libnftables.
// Table inet netrun_masq: postrouting dispatches on the source address through verdict maps
// src4/src6 to one chain per container (ACCEPT its subnets and multicast, masquerade the
// rest), so ADD/DEL touch one element per address and one chain whatever the number of
// containers. The chain carries the comment "netrun-masq net=<network> id=<id>"; the map
// keys of each container are recorded in <dir>/<chain> before the transaction, so DEL
// needs no listing and works without the addresses.
#include <string>

#include "netlib/nat/masq.hpp"

namespace netlib::nat {

class NftMasq final : public MasqBackend {
  public:
    explicit NftMasq(std::string dir = "/var/lib/cni/netrun-masq") : dir_(std::move(dir)) {}
    std::string_view name() const override { return "nftables"; }
    Expected<> add(const MasqRequest& req) override;
    Expected<> del(std::string_view network, std::string_view container_id) override;
    Expected<> check(const MasqRequest& req) override;
    Expected<> gc(std::string_view network, std::span<const std::string> valid_ids) override;

  private:
    std::string dir_;
};

}  // namespace netlib::nat
