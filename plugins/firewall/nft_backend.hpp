#pragma once
// nftables backend (our extension; the reference has iptables and firewalld): table
// `inet netrun_firewall`, base chain `forward` (hook forward, policy accept), and per container
// the same two accept rules as the iptables backend, each carrying the comment
// "<containerID>/<ifname>" so DEL, CHECK and GC find them without stored state.
// Every change is one libnftables transaction.
#include <string>
#include <vector>

#include "iptables_backend.hpp"
#include "netlib/cni/skel.hpp"
#include "netlib/error.hpp"

namespace firewall {

inline constexpr const char* kNftTable = "netrun_firewall";

class NftBackend {
  public:
    NftBackend(std::string container_id, std::string ifname)
        : tag_(std::move(container_id) + "/" + std::move(ifname)) {}
    netlib::Expected<> add(const Target& t) const;
    netlib::Expected<> del() const;
    netlib::Expected<> check(const Target& t) const;
    // Removes the rules of every attachment not in `valid`.
    static netlib::Expected<> gc(const std::vector<netlib::cni::Attachment>& valid);

  private:
    std::string tag_;
};

}  // namespace firewall
