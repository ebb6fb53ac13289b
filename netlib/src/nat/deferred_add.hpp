#pragma once
// The default start_add() of the NAT backends (masquerade, port mappings): a backend with
// nothing to start ahead does all of add() in finish().
#include <memory>
#include <utility>

#include "netlib/error.hpp"

namespace netlib::nat {

template <class Pending, class Backend, class Request>
class DeferredAdd final : public Pending {
  public:
    DeferredAdd(Backend& backend, Request req) : backend_(backend), req_(std::move(req)) {}
    Expected<> finish() override { return backend_.add(req_); }

  private:
    Backend& backend_;
    Request req_;
};

template <class Pending, class Backend, class Request>
std::unique_ptr<Pending> defer_add(Backend& backend, const Request& req) {
    return std::make_unique<DeferredAdd<Pending, Backend, Request>>(backend, req);
}

}  // namespace netlib::nat
