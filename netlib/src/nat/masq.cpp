#include "netlib/nat/masq.hpp"

namespace netlib::nat {

namespace {

// For backends with nothing to start ahead: all of add() happens in finish().
class DeferredMasqAdd final : public PendingMasqAdd {
  public:
    DeferredMasqAdd(MasqBackend& backend, MasqRequest req)
        : backend_(backend), req_(std::move(req)) {}
    Expected<> finish() override { return backend_.add(req_); }

  private:
    MasqBackend& backend_;
    MasqRequest req_;
};

}  // namespace

Expected<std::unique_ptr<PendingMasqAdd>> MasqBackend::start_add(const MasqRequest& req) {
    return std::make_unique<DeferredMasqAdd>(*this, req);
}

}  // namespace netlib::nat
