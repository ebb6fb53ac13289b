#include <memory>

#include "netlib/nat/iptables_masq.hpp"
#include "netlib/nat/masq.hpp"
#include "netlib/nat/nft_masq.hpp"

namespace netlib::nat {

Expected<std::unique_ptr<MasqBackend>> make_masq_backend(std::string_view name) {
    if (name == "iptables") return std::make_unique<IptablesMasq>();
    if (name == "nftables") return std::make_unique<NftMasq>();
    if (!name.empty()) {
        return fail(Code::InvalidConfig,
                    "ipMasqBackend \"" + std::string(name) +
                        "\": unknown backend (want \"iptables\" or \"nftables\")");
    }
    if (find_program("iptables-restore")) return std::make_unique<IptablesMasq>();
    return fail(
        Code::PluginExec,
        "select masquerade backend: iptables-restore not found in PATH or sbin directories");
}

}  // namespace netlib::nat
