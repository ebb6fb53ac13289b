#include "netlib/nat/nft.hpp"

#include <dlfcn.h>
#include <nftables/libnftables.h>

#include <utility>

namespace netlib::nat {

namespace {

// libnftables, loaded on first use. Plugins that never touch nftables (most invocations)
// don't pay for loading and relocating it and its dependencies at every exec.
struct Api {
    decltype(&::nft_ctx_new) ctx_new = nullptr;
    decltype(&::nft_ctx_free) ctx_free = nullptr;
    decltype(&::nft_ctx_buffer_output) buffer_output = nullptr;
    decltype(&::nft_ctx_buffer_error) buffer_error = nullptr;
    decltype(&::nft_ctx_output_set_flags) output_set_flags = nullptr;
    decltype(&::nft_run_cmd_from_buffer) run_cmd_from_buffer = nullptr;
    decltype(&::nft_ctx_get_error_buffer) get_error_buffer = nullptr;
    decltype(&::nft_ctx_get_output_buffer) get_output_buffer = nullptr;
    std::string load_error;
};

template <class F>
bool resolve(void* lib, const char* name, F& fn) {
    fn = reinterpret_cast<F>(::dlsym(lib, name));
    return fn != nullptr;
}

const Api& api() {
    static const Api loaded = [] {
        Api a;
        void* lib = ::dlopen("libnftables.so.1", RTLD_NOW | RTLD_LOCAL);
        if (!lib) {
            a.load_error = ::dlerror();
            return a;
        }
        bool ok = resolve(lib, "nft_ctx_new", a.ctx_new) && resolve(lib, "nft_ctx_free", a.ctx_free) &&
                  resolve(lib, "nft_ctx_buffer_output", a.buffer_output) &&
                  resolve(lib, "nft_ctx_buffer_error", a.buffer_error) &&
                  resolve(lib, "nft_ctx_output_set_flags", a.output_set_flags) &&
                  resolve(lib, "nft_run_cmd_from_buffer", a.run_cmd_from_buffer) &&
                  resolve(lib, "nft_ctx_get_error_buffer", a.get_error_buffer) &&
                  resolve(lib, "nft_ctx_get_output_buffer", a.get_output_buffer);
        if (!ok) {
            a.load_error = "libnftables.so.1 lacks an expected symbol";
            a.ctx_new = nullptr;
        }
        return a;
    }();
    return loaded;
}

}  // namespace

Expected<Nft> Nft::open() {
    const Api& a = api();
    if (!a.ctx_new) return fail(Code::Kernel, "nftables: cannot load libnftables: " + a.load_error);
    nft_ctx* ctx = a.ctx_new(NFT_CTX_DEFAULT);
    if (!ctx) return fail(Code::Kernel, "nftables: cannot create a libnftables context");
    a.buffer_output(ctx);
    a.buffer_error(ctx);
    return Nft(ctx);
}

Nft::Nft(Nft&& o) noexcept : ctx_(std::exchange(o.ctx_, nullptr)) {}

Nft::~Nft() {
    if (ctx_) api().ctx_free(ctx_);
}

Expected<> Nft::run(std::string_view script, std::string_view what) {
    api().output_set_flags(ctx_, 0);
    std::string buf(script);
    if (api().run_cmd_from_buffer(ctx_, buf.c_str()) != 0) {
        std::string err = api().get_error_buffer(ctx_);
        while (!err.empty() && err.back() == '\n') err.pop_back();
        return fail(Code::Kernel, std::string(what) + ": nftables: " + err, buf);
    }
    return {};
}

Expected<nlohmann::json> Nft::list(std::string_view command) {
    api().output_set_flags(ctx_, NFT_CTX_OUTPUT_JSON);
    std::string buf(command);
    if (api().run_cmd_from_buffer(ctx_, buf.c_str()) != 0) {
        std::string err = api().get_error_buffer(ctx_);
        // Listing something that was never created is not an error for our callers.
        if (err.find("No such file or directory") != std::string::npos) return nlohmann::json::object();
        return fail(Code::Kernel, "nftables: " + buf + ": " + err);
    }
    auto j = nlohmann::json::parse(api().get_output_buffer(ctx_), nullptr, false);
    if (j.is_discarded()) return fail(Code::Kernel, "nftables: unparsable JSON listing for " + buf);
    return j;
}

Expected<std::string> Nft::list_text(std::string_view command) {
    api().output_set_flags(ctx_, 0);
    std::string buf(command);
    if (api().run_cmd_from_buffer(ctx_, buf.c_str()) != 0) {
        std::string err = api().get_error_buffer(ctx_);
        if (err.find("No such file or directory") != std::string::npos) return std::string{};
        return fail(Code::Kernel, "nftables: " + buf + ": " + err);
    }
    return std::string(api().get_output_buffer(ctx_));
}

}  // namespace netlib::nat
