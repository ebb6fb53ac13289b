#pragma once
// In-process nftables through libnftables: one script = one atomic kernel transaction, no
// exec of `nft`. Listings come back as JSON.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "netlib/error.hpp"

struct nft_ctx;

namespace netlib::nat {

class Nft {
public:
    static Expected<Nft> open();
    Nft(Nft&& o) noexcept;
    Nft& operator=(Nft&&) = delete;
    Nft(const Nft&) = delete;
    ~Nft();

    // Runs a batch of commands atomically; `what` names the operation in errors.
    Expected<> run(std::string_view script, std::string_view what);
    // A `list ...` command as JSON; nullopt-like empty object when the object does not exist.
    Expected<nlohmann::json> list(std::string_view command);

    // The same as plain text: the only form that carries chain comments in nftables 1.0.6.
    Expected<std::string> list_text(std::string_view command);

private:
    explicit Nft(nft_ctx* ctx) : ctx_(ctx) {}
    nft_ctx* ctx_ = nullptr;
};

}  // namespace netlib::nat
