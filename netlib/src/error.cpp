#include "netlib/error.hpp"

#include <cstring>

namespace netlib {

std::unexpected<Error> fail_errno(Code code, std::string what, int err) {
    what += ": ";
    what += std::strerror(err);
    return std::unexpected(Error{static_cast<int>(code), std::move(what), {}, err});
}

}  // namespace netlib
