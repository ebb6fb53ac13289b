#include "netlib/error.hpp"

#include <cstring>

namespace netlib {

std::unexpected<Error> fail_errno(Code code, std::string what, int err) {
    what += ": ";
    what += std::strerror(err);
    return fail(code, std::move(what));
}

}  // namespace netlib
