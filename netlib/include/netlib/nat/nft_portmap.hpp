#pragma once
// PortmapBackend on nftables, in-process through libnftables: own table inet netrun_portmap
// whose rules are fixed and whose per-container state is only map/set elements, so an
// ADD/DEL costs the same with 1 or 1000 containers published:
//   dnat{4,6}_any  proto . port          : containerIP . port   (no hostIP)
//   dnat{4,6}_ip   hostIP . proto . port : containerIP . port
//   hp{4,6}   ifname . containerIP   masquerade DNAT'd traffic from the container's bridge
//   self{4,6} containerIP . containerIP   ... and from the container itself (hairpin: iifname
//             alone does not catch it)
//   lo4       containerIP            masquerade DNAT'd traffic from 127.0.0.0/8
//   all{4,6}  containerIP            masqAll
// Every element carries the comment "netrun-portmap net=<network> id=<containerID>", and
// the exact elements of each container are recorded in <dir>/<CNI-DN chain name> before
// the transaction that adds them, so DEL deletes exactly those without listing the maps.
// Callers serialise calls (the plugin holds the PortOwners lock).
#include <string>

#include "netlib/nat/port_owners.hpp"
#include "netlib/nat/portmap.hpp"

namespace netlib::nat {

inline constexpr std::string_view kNftPortmapTable = "inet netrun_portmap";

class NftPortmap final : public PortmapBackend {
  public:
    explicit NftPortmap(std::string dir = std::string(kPortOwnersDir) + "/nft")
        : dir_(std::move(dir)) {}

    std::string_view name() const override { return "nftables"; }
    Expected<> add(const PortmapRequest& req) override;
    Expected<> del(std::string_view network, std::string_view container_id) override;
    Expected<> check(const PortmapRequest& req) override;
    Expected<> gc(std::string_view network, std::span<const std::string> valid_ids) override;

  private:
    std::string record_path(std::string_view network, std::string_view container_id) const;
    std::string dir_;
};

// The elements ADD installs for req, as "<set> { <key> [comment ..] [: <value>] }" (pure,
// unit-testable); keys() gives the same without comment and value (for delete/get).
struct NftElement {
    std::string set, key, value;
};
std::vector<NftElement> nft_portmap_elements(const PortmapRequest& req);

}  // namespace netlib::nat
