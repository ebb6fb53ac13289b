#include <memory>

#include "netlib/nat/iptables_exec.hpp"
#include "netlib/nat/iptables_portmap.hpp"
#include "netlib/nat/nft_portmap.hpp"
#include "netlib/nat/portmap.hpp"

#include "deferred_add.hpp"

namespace netlib::nat {

Expected<std::unique_ptr<PendingPortmapAdd>> PortmapBackend::start_add(const PortmapRequest& req) {
    return defer_add<PendingPortmapAdd>(*this, req);
}

Expected<std::unique_ptr<PortmapBackend>> make_portmap_backend(std::string_view name) {
    if (name == "iptables") return std::make_unique<IptablesPortmap>();
    if (name == "nftables") return std::make_unique<NftPortmap>();
    if (!name.empty())
        return fail(Code::InvalidConfig, "backend \"" + std::string(name) +
                                             "\": unknown (want \"iptables\" or \"nftables\")");
    if (find_program("iptables-restore")) return std::make_unique<IptablesPortmap>();
    return std::make_unique<NftPortmap>();
}

std::vector<std::unique_ptr<PortmapBackend>> all_portmap_backends() {
    std::vector<std::unique_ptr<PortmapBackend>> out;
    if (find_program("iptables-restore")) out.push_back(std::make_unique<IptablesPortmap>());
    out.push_back(std::make_unique<NftPortmap>());
    return out;
}

}  // namespace netlib::nat
