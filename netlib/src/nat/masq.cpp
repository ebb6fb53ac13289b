#include "netlib/nat/masq.hpp"

#include "deferred_add.hpp"

namespace netlib::nat {

Expected<std::unique_ptr<PendingMasqAdd>> MasqBackend::start_add(const MasqRequest& req) {
    return defer_add<PendingMasqAdd>(*this, req);
}

}  // namespace netlib::nat
