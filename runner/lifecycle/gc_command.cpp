// `netrun gc`: whatever dead containers left of their networks goes away. Three sources of
// leftovers: containers whose monitor was killed (state says running, process gone), pins
// in /run/netns of containers that are gone, and, after a host crash (/run is empty but
// /var/lib/cni is not), CNI cache entries of netrun containers. Then CNI GC per network
// with every attachment still cached as valid, so the plugins drop leases and rules that
// no cache entry accounts for, and nothing of another runtime's containers.
#include <dirent.h>

#include <cstdio>
#include <map>
#include <memory>
#include <set>

#include "lifecycle.hpp"
#include "net/container_network.hpp"
#include "netlib/netns/netns.hpp"
#include "network_ops.hpp"
#include "state.hpp"

namespace netrun::lifecycle {

namespace cni = netlib::cni;

namespace {

constexpr const char* kGcUsage =
    "usage: netrun gc\n\n"
    "Releases the networks of containers that died unwatched or before a host crash: CNI DEL\n"
    "of their cached attachments, their /run/netns pins, then CNI GC of each network.\n";

std::vector<std::string> netrun_pins() {
    std::vector<std::string> out;
    const std::string prefix(net::kNetnsPrefix);
    const auto slash = prefix.rfind('/');
    std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(prefix.substr(0, slash).c_str()), ::closedir);
    if (!d) return out;
    while (auto* e = ::readdir(d.get())) {
        std::string path = prefix.substr(0, slash + 1) + e->d_name;
        if (path.starts_with(prefix)) out.push_back(std::move(path));
    }
    return out;
}

}  // namespace

int gc_main(std::span<const std::string_view> args) {
    for (auto a : args)
        if (a == "--help" || a == "-h") return std::printf("%s", kGcUsage), 0;
    if (!args.empty()) return std::fprintf(stderr, "%s", kGcUsage), 125;
    StateStore states;
    std::set<std::string> live_ids, live_pins;
    int errors = 0;
    auto all = states.list();
    if (!all) return std::fprintf(stderr, "netrun gc: %s\n", all.error().msg.c_str()), 125;
    for (auto s : *all) {
        s = reconcile(states, std::move(s));  // a dead one's network is released here
        // "created": a `netrun run` is attaching it right now, unless that process is gone.
        const bool starting = s.status == "created" && process_alive(s.monitor_pid, 0);
        if (s.status == "running" || starting) {
            live_ids.insert(s.id);
            live_pins.insert(net::netns_path_for(s.name));
        } else if (network_attached(s) && !release_network(states, s)) {
            ++errors;
        }
    }
    const auto runtime = net::default_runtime();
    auto cached = runtime.cached_attachments("");
    if (!cached) return std::fprintf(stderr, "netrun gc: %s\n", cached.error().msg.c_str()), 125;
    std::map<std::string, std::string> networks;  // name -> conflist bytes, for the GC verb
    int deleted = 0;
    for (const auto& e : *cached) {
        if (!e.netns.starts_with(net::kNetnsPrefix)) continue;  // another runtime's
        networks.emplace(e.network_name, e.config);
        if (live_ids.contains(e.container_id)) continue;
        auto list = cni::parse_conflist(e.config);
        cni::RuntimeConf rt{e.container_id, e.netns, e.ifname, {}, nlohmann::json::object()};
        auto r = list ? runtime.del_network_list(*list, runtime.with_cached_config(*list, rt),
                                                 cni::DelPolicy::Continue)
                      : netlib::Expected<>(std::unexpected(list.error()));
        if (r)
            ++deleted;
        else {
            ++errors;
            std::fprintf(stderr, "netrun gc: %s/%s of %s: %s\n", e.network_name.c_str(),
                         e.ifname.c_str(), e.container_id.c_str(), r.error().msg.c_str());
        }
    }
    int unpinned = 0;
    for (const auto& pin : netrun_pins())
        if (!live_pins.contains(pin) && netlib::netns::remove_persistent(pin)) ++unpinned;
    if (auto def = net::resolve_network("bridge")) networks.emplace(def->name, def->bytes);
    for (const auto& [name, bytes] : networks) {
        auto list = cni::parse_conflist(bytes);
        if (!list) continue;
        std::vector<cni::Attachment> valid;
        if (auto now = runtime.cached_attachments(name))
            for (const auto& e : *now) valid.push_back({e.container_id, e.ifname});
        if (auto r = runtime.gc_network_list(*list, valid); !r) {
            ++errors;
            std::fprintf(stderr, "netrun gc: network %s: %s\n", name.c_str(),
                         r.error().msg.c_str());
        }
    }
    std::printf(
        "released %d attachment(s) and %d netns pin(s) of dead containers; %zu network(s) "
        "collected\n",
        deleted, unpinned, networks.size());
    return errors ? 1 : 0;
}

}  // namespace netrun::lifecycle
