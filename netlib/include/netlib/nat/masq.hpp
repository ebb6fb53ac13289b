#pragma once
// Masquerade of container addresses (the bridge/ptp `ipMasq` option) behind one interface,
// so the plugin does not care whether iptables or nftables does the work. Every call is one
// atomic transaction per address family: it fully happens or leaves the rules as they were.
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "netlib/error.hpp"
#include "netlib/ip/addr.hpp"

namespace netlib::nat {

struct MasqRequest {
    std::string network;       // CNI network name
    std::string container_id;  // CNI_CONTAINERID
    // Container addresses with their subnet prefix, e.g. 10.22.0.5/24: traffic to the
    // subnet is left alone, everything else from the address (but multicast) is masqueraded.
    std::vector<ip::Net> ips;
};

// An add() under way (MasqBackend::start_add).
class PendingMasqAdd {
  public:
    virtual ~PendingMasqAdd() = default;
    // The outcome add() would have given; nothing of it remains on failure.
    virtual Expected<> finish() = 0;
};

class MasqBackend {
  public:
    virtual ~MasqBackend() = default;

    virtual std::string_view name() const = 0;

    // Installs masquerading for req.ips. Idempotent: calling it again replaces this
    // container's rules instead of duplicating them. On failure nothing of this call remains.
    virtual Expected<> add(const MasqRequest& req) = 0;

    // add() in two halves, so that a plugin can do its own kernel work while the rules are
    // being written (the iptables backend starts its iptables-restore here). The handle
    // must not outlive the backend. Dropped unfinished, it stops the work where it is; the
    // rules may then be in place, and del() is the caller's. The default does it all in
    // finish().
    virtual Expected<std::unique_ptr<PendingMasqAdd>> start_add(const MasqRequest& req);

    // Removes everything add() made for (network, containerID) in both families, found by
    // name/owner rather than by address, so it works when the addresses are unknown (DEL
    // without netns or prevResult). Nothing to remove is success.
    virtual Expected<> del(std::string_view network, std::string_view container_id) = 0;

    // del() when the caller knows what ADD was given (req: a DEL with the cached result): a
    // backend may go straight for those rules, and skip families the container never had.
    // Same outcome as del(), whatever is left.
    virtual Expected<> del_known(const MasqRequest& req) { return del(req.network, req.container_id); }

    // Verifies that the rules for req are in place; the error names what is missing.
    virtual Expected<> check(const MasqRequest& req) = 0;

    // Removes the rules of every container of `network` whose ID is not in valid_ids.
    virtual Expected<> gc(std::string_view network, std::span<const std::string> valid_ids) = 0;
};

// name: "iptables", "nftables", or "" to pick automatically (iptables when
// iptables-restore is found in PATH). Unknown names fail with Code::InvalidConfig.
Expected<std::unique_ptr<MasqBackend>> make_masq_backend(std::string_view name);

}  // namespace netlib::nat
