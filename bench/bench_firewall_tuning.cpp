// firewall (iptables backend) and tuning ADD/DEL, ours against the Go reference
// (/usr/lib/cni), interleaved, in a private sandbox. firewall gets a prevResult with one IPv4
// address per container; tuning changes mtu, txQLen and a sysctl on a veth end in a netns.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "netlib/netlink/link.hpp"
#include "netlib/netlink/socket.hpp"
#include "netlib/netns/netns.hpp"

namespace {

using namespace bench;
namespace nl = netlib::netlink;

std::string firewall_conf(int n) {
    return R"({"cniVersion":"1.0.0","name":"benchfw","type":"firewall","prevResult":{"cniVersion":"1.0.0",)"
           R"("ips":[{"address":"10.79.)" +
           std::to_string(n / 250) + "." + std::to_string(n % 250 + 2) + R"(/16"}]}})";
}

const char* kTuningConf = R"({"cniVersion":"1.0.0","name":"benchtu","type":"tuning","mtu":1400,"txQLen":500,)"
                          R"("sysctl":{"net.ipv4.conf.eth0.rp_filter":"2"},)"
                          R"("prevResult":{"cniVersion":"1.0.0","interfaces":[{"name":"eth0"}]}})";

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "bench: %s\n", what.c_str());
    std::exit(1);
}

// A netns whose eth0 is one end of a veth pair (the other stays in the sandbox).
void make_container(const std::string& ns, const std::string& host_end) {
    if (auto r = netlib::netns::create_persistent(ns); !r) die("create netns: " + r.error().msg);
    auto n = netlib::netns::Netns::open(ns);
    if (!n) die("open netns: " + n.error().msg);
    auto s = nl::Socket::open();
    if (!s) die("netlink: " + s.error().msg);
    if (auto r = nl::create_veth(*s, {.name = host_end, .peer_name = "eth0", .peer_netns_fd = n->fd()}); !r)
        die("veth: " + r.error().msg);
}

}  // namespace

int main(int argc, char** argv) {
    int iterations = argc > 1 ? std::atoi(argv[1]) : 50;
    std::string ours = argc > 2 ? argv[2] : "build/bin";
    enter_sandbox();
    std::vector<Impl> impls = {{"netrun", ours}, {"reference", "/usr/lib/cni"}};
    std::vector<std::vector<double>> fw_add(2), fw_del(2), tu_add(2), tu_del(2);
    for (int i = 0; i < iterations; ++i) {
        for (std::size_t k = 0; k < impls.size(); ++k) {
            const int n = i * 2 + static_cast<int>(k);
            const std::string id = "ft" + std::to_string(n), ns = "/run/netns/" + id;
            make_container(ns, "h" + id);
            const std::string fw = impls[k].dir + "/firewall", tu = impls[k].dir + "/tuning";
            fw_add[k].push_back(timed({fw}, cni_env("ADD", impls[k], id, ns), firewall_conf(n)));
            fw_del[k].push_back(timed({fw}, cni_env("DEL", impls[k], id, ns), firewall_conf(n)));
            tu_add[k].push_back(timed({tu}, cni_env("ADD", impls[k], id, ns), kTuningConf));
            tu_del[k].push_back(timed({tu}, cni_env("DEL", impls[k], id, ns), kTuningConf));
            (void)netlib::netns::remove_persistent(ns);
        }
    }
    print_header("firewall (iptables) and tuning", iterations);
    print_row("firewall ADD", fw_add[0], fw_add[1]);
    print_row("firewall DEL", fw_del[0], fw_del[1]);
    print_row("tuning ADD", tu_add[0], tu_add[1]);
    print_row("tuning DEL", tu_del[0], tu_del[1]);
    return 0;
}
