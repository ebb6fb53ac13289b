#pragma once
// Errors as values. Every fallible function returns Expected<T>; the CNI code travels with
// the message so only the plugin skeleton decides how an error is printed.
#include <expected>
#include <string>

namespace netlib {

// Well-known CNI codes (spec "Error" table) plus our plugin-specific ones (>= 100).
// Plugin-specific codes are documented in README.md; keep the two in sync.
enum class Code : int {
    IncompatibleVersion = 1,
    UnsupportedField = 2,
    UnknownContainer = 3,
    InvalidEnv = 4,
    Io = 5,
    Decode = 6,
    InvalidConfig = 7,
    TryAgain = 11,
    NotAvailable = 50,           // STATUS: plugin cannot serve ADD now
    NotAvailableLimited = 51,    // STATUS: ... and existing connectivity is limited
    Kernel = 100,                // a netlink/syscall operation on kernel state failed
    AddressExhausted = 101,      // IPAM: no free address left in the range set(s)
    AddressConflict = 102,       // IPAM: requested address is taken / duplicate allocation
    PluginExec = 103,            // a delegated plugin could not be found or executed
    Conflict = 104,              // kernel object exists and is not what the config asks for
    PortConflict = 105,          // portmap: host port already published by another container
    CheckFailed = 106,           // CHECK: state that ADD created is missing or different
    Internal = 999,
};

struct Error {
    int code = static_cast<int>(Code::Internal);
    std::string msg;
    std::string details;
    int sys_errno = 0;  // errno behind a Code::Kernel/Io error, for callers that tolerate e.g. EEXIST
};

template <class T = void>
using Expected = std::expected<T, Error>;

inline std::unexpected<Error> fail(Code code, std::string msg, std::string details = {}) {
    return std::unexpected(Error{static_cast<int>(code), std::move(msg), std::move(details)});
}

// "what: strerror(err)" with the given CNI code; err is an errno value.
std::unexpected<Error> fail_errno(Code code, std::string what, int err);

// Prefix an error's message with context, keeping code and details.
inline Error with_context(Error e, std::string_view ctx) {
    e.msg = std::string(ctx) + ": " + e.msg;
    return e;
}

}  // namespace netlib

// Propagate an error from an Expected expression, yielding its value otherwise.
// Statement-expression (GNU) keeps call sites one line, like Go's `if err != nil`.
#define NETLIB_TRY(expr)                                                       \
    __extension__({                                                                         \
        auto&& netlib_try_r_ = (expr);                                         \
        if (!netlib_try_r_) return std::unexpected(std::move(netlib_try_r_).error()); \
        std::move(netlib_try_r_).value();                                      \
    })
#define NETLIB_TRYV(expr)                                                      \
    do {                                                                       \
        auto&& netlib_try_r_ = (expr);                                         \
        if (!netlib_try_r_) return std::unexpected(std::move(netlib_try_r_).error()); \
    } while (0)
