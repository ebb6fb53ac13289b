#include "net/container_network.hpp"

#include <cstdlib>

#include "net/net_defaults.hpp"
#include "net/sublink_resolve.hpp"
#include "netlib/cni/conflist.hpp"
#include "netlib/netlink/link.hpp"
#include "netlib/netlink/socket.hpp"
#include "netlib/netns/netns.hpp"
#include "netlib/sys/undo.hpp"

#ifndef NETRUN_SOURCE_CONF_DIR
#define NETRUN_SOURCE_CONF_DIR ""
#endif

namespace netrun::net {

using netlib::Code;
using netlib::Expected;
using netlib::fail;
using nlohmann::json;
namespace cni = netlib::cni;

namespace {

// The project's default network (conf/netrun-bridge.conflist) answers to "bridge".
constexpr std::string_view kDefaultNetwork = "netrun";

Expected<> lo_up(const std::string& netns) {
    auto ns = NETLIB_TRY(netlib::netns::Netns::open(netns));
    auto sock = NETLIB_TRY(netlib::netlink::Socket::open_in(ns));
    auto lo = NETLIB_TRY(netlib::netlink::get_link(sock, "lo"));
    if (!lo) return fail(Code::Kernel, "no loopback interface in the container network namespace");
    if (lo->up) return {};
    return netlib::netlink::set_up(sock, lo->index);
}

// A pin left by a container of the same name that died without cleanup (host crash of
// the runner, SIGKILL): names are unique among live containers, so it is stale.
Expected<> pin(pid_t pid, const std::string& path) {
    const std::string source = "/proc/" + std::to_string(pid) + "/ns/net";
    auto r = netlib::netns::pin_existing(source, path);
    if (!r && r.error().sys_errno == EEXIST) {
        NETLIB_TRYV(netlib::netns::remove_persistent(path));
        r = netlib::netns::pin_existing(source, path);
    }
    return r;
}

cni::RuntimeConf runtime_conf(const std::string& id, const std::string& netns,
                              const std::string& ifname) {
    return cni::RuntimeConf{.container_id = id,
                            .netns = netns,
                            .ifname = ifname,
                            .args = {},
                            .capability_args = json::object()};
}

json capability_args(const NetworkPlan& plan, std::size_t index) {
    json caps = json::object();
    // -p goes to the first network only: two portmap chains publishing the same host port
    // for one container would collide (docker publishes through one network too).
    if (index == 0 && !plan.port_mappings.empty()) caps["portMappings"] = plan.port_mappings;
    if (index == 0 && !plan.ip.empty()) caps["ips"] = json::array({plan.ip});
    if (index == 0 && !plan.mac.empty()) caps["mac"] = plan.mac;
    return caps;
}

Expected<> del_one(const cni::Runtime& runtime, const AttachedNetwork& a, const std::string& id,
                   const std::string& netns) {
    auto list = cni::parse_conflist(a.config);
    if (!list) {
        // Not expected (we wrote it), but DEL must not strand the other attachments.
        auto cached = runtime.cache().read(a.network, id, a.ifname);
        if (!cached || !*cached) return std::unexpected(list.error());
        list = cni::parse_conflist((*cached)->config);
        if (!list) return std::unexpected(list.error());
    }
    auto rt = runtime.with_cached_config(*list, runtime_conf(id, netns, a.ifname));
    if (auto r = runtime.del_network_list(*list, rt, cni::DelPolicy::Continue); !r) {
        auto e = r.error();
        e.msg = "detach network \"" + a.network + "\" (" + a.ifname + "): " + e.msg;
        return std::unexpected(e);
    }
    return {};
}

bool publishes_ports(const cni::NetworkConfigList& list) {
    for (const auto& p : list.plugins)
        if (auto c = p.find("capabilities");
            c != p.end() && c->is_object() && c->value("portMappings", false))
            return true;
    return false;
}

}  // namespace

std::vector<std::string> ContainerNetwork::addresses() const {
    std::vector<std::string> out;
    for (const auto& a : attachments)
        for (const auto& ip : a.result.value("ips", json::array())) {
            const std::string addr = ip.value("address", "");
            if (!addr.empty()) out.push_back(addr.substr(0, addr.find('/')));
        }
    return out;
}

std::string ContainerNetwork::gateway() const {
    for (const auto& a : attachments)
        for (const auto& ip : a.result.value("ips", json::array()))
            if (auto g = ip.value("gateway", ""); !g.empty()) return g;
    return {};
}

json to_json(const ContainerNetwork& n) {
    json atts = json::array();
    for (const auto& a : n.attachments)
        atts.push_back({{"network", a.network},
                        {"ifname", a.ifname},
                        {"config", a.config},
                        {"result", a.result}});
    return {{"mode", mode_name(n.mode)},
            {"netns", n.netns},
            {"pinned", n.pinned},
            {"attachments", atts},
            {"ports", n.ports}};
}

ContainerNetwork network_from_json(const json& j) {
    ContainerNetwork n;
    if (!j.is_object()) return n;
    const std::string mode = j.value("mode", "none");
    n.mode = mode == "host"        ? NetMode::Host
             : mode == "container" ? NetMode::Container
             : mode == "cni"       ? NetMode::Cni
                                   : NetMode::None;
    n.netns = j.value("netns", "");
    n.pinned = j.value("pinned", false);
    n.ports = j.value("ports", json::array());
    for (const auto& a : j.value("attachments", json::array()))
        n.attachments.push_back({a.value("network", ""), a.value("ifname", ""),
                                 a.value("config", ""), a.value("result", json::object())});
    return n;
}

cni::Runtime default_runtime() {
    const std::string exe_dir = executable_dir();
    return cni::Runtime(default_cni_path(std::getenv("CNI_PATH"), exe_dir),
                        std::string(cni::kDefaultCacheDir));
}

Expected<cni::NetworkConfigList> resolve_network(const std::string& spec) {
    if (auto generated = NETLIB_TRY(resolve_sublink_network(spec))) return std::move(*generated);
    const auto dirs = default_conf_dirs(executable_dir(), NETRUN_SOURCE_CONF_DIR);
    auto list =
        cni::find_conflist(dirs, spec == "bridge" ? kDefaultNetwork : std::string_view(spec));
    if (!list) {
        auto e = list.error();
        e.msg = "network " + spec + " not found: " + e.msg + " (see `netrun network ls`)";
        return std::unexpected(e);
    }
    return list;
}

std::string netns_path_for(const std::string& container_name) {
    return std::string(kNetnsPrefix) + container_name;
}

Expected<ContainerNetwork> attach_at(const cni::Runtime& runtime, const NetworkPlan& plan,
                                     const std::string& container_id, const std::string& netns) {
    ContainerNetwork net;
    net.mode = plan.mode;
    net.netns = netns;
    net.pinned = true;
    netlib::sys::UndoStack undo;
    NETLIB_TRYV(lo_up(net.netns));
    for (std::size_t i = 0; i < plan.networks.size(); ++i) {
        auto list = resolve_network(plan.networks[i]);
        if (!list) return std::unexpected(list.error());
        if (i == 0 && !plan.port_mappings.empty() && !publishes_ports(*list))
            return fail(Code::InvalidConfig,
                        "network " + plan.networks[i] +
                            " cannot publish ports (none of its plugins has the portMappings "
                            "capability): drop -p and reach the container at its own address, or "
                            "use a bridge network");
        auto rt = runtime_conf(container_id, net.netns, interface_name(i));
        rt.capability_args = capability_args(plan, i);
        AttachedNetwork a{list->name, rt.ifname, list->bytes, json::object()};
        // A failed ADD may have left part of its chain: DEL runs for it too.
        undo.push([&runtime, a, container_id, ns = net.netns] {
            (void)del_one(runtime, a, container_id, ns);
        });
        auto result = runtime.add_network_list(*list, rt);
        if (!result) {
            auto e = result.error();
            e.msg = "attach network \"" + plan.networks[i] + "\": " + e.msg;
            return std::unexpected(e);
        }
        a.result = std::move(*result);
        net.attachments.push_back(std::move(a));
    }
    net.ports = plan.port_mappings;
    undo.dismiss();
    return net;
}

Expected<ContainerNetwork> attach_networks(const cni::Runtime& runtime, const NetworkPlan& plan,
                                           const std::string& container_id,
                                           const std::string& container_name, pid_t pid) {
    if (plan.mode == NetMode::Host || plan.mode == NetMode::Container) {
        ContainerNetwork net;
        net.mode = plan.mode;
        return net;
    }
    const std::string path = netns_path_for(container_name);
    NETLIB_TRYV(pin(pid, path));
    auto net = attach_at(runtime, plan, container_id, path);
    if (!net) (void)netlib::netns::remove_persistent(path);
    return net;
}

Expected<> create_netns(const std::string& path) {
    auto r = netlib::netns::create_persistent(path);
    if (!r && r.error().sys_errno == EEXIST) {  // a stale pin: see pin()
        NETLIB_TRYV(netlib::netns::remove_persistent(path));
        r = netlib::netns::create_persistent(path);
    }
    return r;
}

Expected<> detach_networks(const cni::Runtime& runtime, const ContainerNetwork& net,
                           const std::string& container_id, bool container_gone) {
    std::vector<netlib::Error> errors;
    const bool unpin_first = net.pinned && container_gone;
    if (unpin_first)
        if (auto r = netlib::netns::remove_persistent(net.netns); !r) errors.push_back(r.error());
    for (auto it = net.attachments.rbegin(); it != net.attachments.rend(); ++it)
        if (auto r = del_one(runtime, *it, container_id, net.netns); !r)
            errors.push_back(r.error());
    if (net.pinned && !unpin_first)
        if (auto r = netlib::netns::remove_persistent(net.netns); !r) errors.push_back(r.error());
    if (errors.empty()) return {};
    return std::unexpected(cni::join_errors("detach the container's networks", errors));
}

}  // namespace netrun::net
