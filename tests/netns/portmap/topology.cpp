#include "topology.hpp"

#include <gtest/gtest.h>

#include "netlib/sys/spawn.hpp"

using nlohmann::json;
using testcni::sh;

namespace pmtest {

namespace {

std::string addr_of(const json& result, bool v6) {
    for (const auto& ip : result["ips"]) {
        auto a = ip["address"].get<std::string>();
        if ((a.find(':') != std::string::npos) == v6) return a.substr(0, a.find('/'));
    }
    return {};
}

// hairpinMode: a container reaching its own published port is sent back out of the port
// it came from (runtimes such as podman set it by default for exactly this).
json bridge_conf(bool dual_stack) {
    json j = json::parse(R"({"cniVersion":"1.0.0","name":"pmnet","type":"bridge","bridge":"pm0",
      "isGateway":true,"hairpinMode":true,"ipam":{"type":"host-local","dataDir":"/run/pm-ipam",
      "ranges":[[{"subnet":"10.22.0.0/24"}]],"routes":[{"dst":"0.0.0.0/0"}]}})");
    if (dual_stack) {
        j["ipam"]["ranges"].push_back(json::parse(R"([{"subnet":"fd22::/64"}])"));
        j["ipam"]["routes"].push_back(json::parse(R"({"dst":"::/0"})"));
    }
    return j;
}

testcni::Call call(const std::string& plugin, const std::string& cmd, const Container& c) {
    return testcni::Call{.plugin = plugin, .command = cmd, .container_id = c.id, .netns = c.netns};
}

}  // namespace

std::string Container::ip4() const {
    return addr_of(result, false);
}
std::string Container::ip6() const {
    return addr_of(result, true);
}

Topology::Topology(std::string backend, bool dual_stack)
    : backend_(std::move(backend)), dual_stack_(dual_stack) {
    sh("ip netns add pm-out");
    sh("ip link add pm-vout type veth peer name eth0 netns pm-out");
    sh("ip addr add 192.168.77.1/24 dev pm-vout && ip addr add fd77::1/64 dev pm-vout nodad && ip "
       "link set pm-vout up");
    sh("ip -n pm-out addr add 192.168.77.2/24 dev eth0 && ip -n pm-out addr add fd77::2/64 dev "
       "eth0 nodad");
    sh("ip -n pm-out link set eth0 up && ip -n pm-out link set lo up");
    sh("ip -n pm-out route add default via 192.168.77.1 && ip -n pm-out -6 route add default via "
       "fd77::1");
    sh("ip link set lo up; sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1");
}

Topology::~Topology() {
    for (auto& [id, c] : containers_) {
        testcni::run(call("portmap", "DEL", c), portmap_conf(id, published_[id]));
        testcni::run(call("bridge", "DEL", c), bridge_conf(dual_stack_));
        sh("ip netns del " + c.netns_name);
    }
    sh("ip link del pm-vout 2>/dev/null; ip netns del pm-out");
}

const Container& Topology::attach(const std::string& id) {
    Container c{.id = id, .netns_name = "pm-" + id, .netns = "/run/netns/pm-" + id, .result = {}};
    sh("ip netns add " + c.netns_name + " && ip -n " + c.netns_name + " link set lo up");
    sh("ip netns exec " + c.netns_name +
       " sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0");
    auto r = testcni::run(call("bridge", "ADD", c), bridge_conf(dual_stack_));
    EXPECT_TRUE(r.ok()) << r.out << r.err;
    c.result = r.json;
    return containers_[id] = std::move(c);
}

json Topology::portmap_conf(const std::string& id, const json& mappings) const {
    json j = {
        {"cniVersion", "1.0.0"}, {"name", kNetwork}, {"type", "portmap"}, {"backend", backend_}};
    j["runtimeConfig"]["portMappings"] = mappings.is_null() ? json::array() : mappings;
    auto it = containers_.find(id);
    if (it != containers_.end()) j["prevResult"] = it->second.result;
    return j;
}

testcni::Reply Topology::portmap(const std::string& cmd, const std::string& id,
                                 const json& mappings) {
    const Container& c = containers_.at(id);
    if (cmd == "ADD") published_[id] = mappings;
    return testcni::run(call("portmap", cmd, c), portmap_conf(id, mappings));
}

std::string nat_state() {
    std::string out;
    for (const char* cmd : {"iptables-save", "ip6tables-save", "nft list ruleset"}) {
        auto r = netlib::sys::spawn_capture({"/bin/sh", "-c", std::string(cmd) + " 2>&1"},
                                            {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}, {});
        if (r) out += r->out;
    }
    return out;
}

}  // namespace pmtest
