#pragma once
// Runtime side, lowest level: find a plugin binary in CNI_PATH and exec it with CNI_* env and
// a JSON config on stdin; decode its Result or error JSON. Used by the runtime (conflists,
// chains) and by main plugins delegating to IPAM.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "netlib/cni/skel.hpp"
#include "netlib/error.hpp"
#include "netlib/sys/spawn.hpp"

namespace netlib::cni {

struct Invocation {
    Command command = Command::Add;
    std::string container_id;
    std::string netns;
    std::string ifname;
    std::string args;  // CNI_ARGS
    std::string path;  // CNI_PATH
};

// First regular executable file named `type` in the ':'-separated `path`.
Expected<std::string> find_plugin(std::string_view type, std::string_view path);

// Exec `type` with `config` on stdin. Returns the parsed stdout JSON (null for empty stdout).
// A plugin error JSON becomes an Error carrying the plugin's code and message.
Expected<nlohmann::json> exec_plugin(std::string_view type, const Invocation& inv,
                                     std::string_view config);

// A plugin started but not yet waited for, so the caller can overlap its own kernel work
// with the delegate's run. Destroying it without wait() kills the plugin.
// A builtin delegate (see register_builtin) has already finished when it is returned.
class PendingPlugin {
public:
    Expected<nlohmann::json> wait();
    // Whether wait() would return at once (an in-process plugin has already run).
    bool finished() const noexcept { return done_.has_value(); }

private:
    friend Expected<PendingPlugin> start_plugin(std::string_view, const Invocation&, std::string_view);
    PendingPlugin(std::string type, sys::Child child) : type_(std::move(type)), child_(std::move(child)) {}
    PendingPlugin(std::string type, sys::SpawnResult done) : type_(std::move(type)), done_(std::move(done)) {}
    std::string type_;
    std::optional<sys::Child> child_;
    std::optional<sys::SpawnResult> done_;
};

// A plugin linked into the calling executable (e.g. host-local inside bridge). start_plugin
// runs it in-process through the same skeleton (validation, version conversion, error JSON)
// instead of exec'ing it, but only when CNI_PATH resolves `type` to the very file installed
// beside the calling executable: a runtime that puts another implementation first in
// CNI_PATH still gets that one exec'd. Saves one exec + dynamic link per delegation.
// NETRUN_NO_BUILTIN_DELEGATES=1 in the environment turns it off.
void register_builtin(std::string_view type, Plugin (*factory)());

Expected<PendingPlugin> start_plugin(std::string_view type, const Invocation& inv, std::string_view config);

// Delegation as main plugins do it for IPAM: same env as `req`, command `cmd`, and the
// request's own stdin. ADD returns the IPAM Result.
Expected<Result> delegate_add(std::string_view type, const Request& req);
Expected<> delegate(Command cmd, std::string_view type, const Request& req);
Expected<PendingPlugin> start_delegate(Command cmd, std::string_view type, const Request& req);
// The IPAM Result of a started ADD delegate.
Expected<Result> finish_delegate_add(PendingPlugin& p, std::string_view type);

}  // namespace netlib::cni
