#include "netlib/nat/nft.hpp"

#include <nftables/libnftables.h>

#include <utility>

namespace netlib::nat {

Expected<Nft> Nft::open() {
    nft_ctx* ctx = nft_ctx_new(NFT_CTX_DEFAULT);
    if (!ctx) return fail(Code::Kernel, "nftables: cannot create a libnftables context");
    nft_ctx_buffer_output(ctx);
    nft_ctx_buffer_error(ctx);
    return Nft(ctx);
}

Nft::Nft(Nft&& o) noexcept : ctx_(std::exchange(o.ctx_, nullptr)) {}

Nft::~Nft() {
    if (ctx_) nft_ctx_free(ctx_);
}

Expected<> Nft::run(std::string_view script, std::string_view what) {
    nft_ctx_output_set_flags(ctx_, 0);
    std::string buf(script);
    if (nft_run_cmd_from_buffer(ctx_, buf.c_str()) != 0) {
        std::string err = nft_ctx_get_error_buffer(ctx_);
        while (!err.empty() && err.back() == '\n') err.pop_back();
        return fail(Code::Kernel, std::string(what) + ": nftables: " + err, buf);
    }
    return {};
}

Expected<nlohmann::json> Nft::list(std::string_view command) {
    nft_ctx_output_set_flags(ctx_, NFT_CTX_OUTPUT_JSON);
    std::string buf(command);
    if (nft_run_cmd_from_buffer(ctx_, buf.c_str()) != 0) {
        std::string err = nft_ctx_get_error_buffer(ctx_);
        // Listing something that was never created is not an error for our callers.
        if (err.find("No such file or directory") != std::string::npos) return nlohmann::json::object();
        return fail(Code::Kernel, "nftables: " + buf + ": " + err);
    }
    auto j = nlohmann::json::parse(nft_ctx_get_output_buffer(ctx_), nullptr, false);
    if (j.is_discarded()) return fail(Code::Kernel, "nftables: unparsable JSON listing for " + buf);
    return j;
}

Expected<std::string> Nft::list_text(std::string_view command) {
    nft_ctx_output_set_flags(ctx_, 0);
    std::string buf(command);
    if (nft_run_cmd_from_buffer(ctx_, buf.c_str()) != 0) {
        std::string err = nft_ctx_get_error_buffer(ctx_);
        if (err.find("No such file or directory") != std::string::npos) return std::string{};
        return fail(Code::Kernel, "nftables: " + buf + ": " + err);
    }
    return std::string(nft_ctx_get_output_buffer(ctx_));
}

}  // namespace netlib::nat
