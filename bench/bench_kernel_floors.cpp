// The kernel's own cost of what a bridge ADD/DEL must do, timed in-process (no exec, no
// IPAM): create a veth with its peer in a container netns, attach it to a bridge and bring it
// up, then delete it. These floors bound how fast any bridge plugin can be on this kernel; the
// plugin benchmarks' ratios are read against them.
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

template <class T>
T must(netlib::Expected<T> r, const char* what) {
    if (!r) {
        std::fprintf(stderr, "bench: %s: %s\n", what, r.error().msg.c_str());
        std::exit(1);
    }
    return std::move(*r);
}
void must(netlib::Expected<> r, const char* what) {
    if (!r) {
        std::fprintf(stderr, "bench: %s: %s\n", what, r.error().msg.c_str());
        std::exit(1);
    }
}

double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
    int iterations = argc > 1 ? std::atoi(argv[1]) : 50;
    enter_sandbox();
    auto sock = must(nl::Socket::open(), "netlink socket");
    must(nl::create_bridge(sock, {.name = "floor0"}), "create bridge");
    auto br = must(nl::get_link(sock, "floor0"), "get bridge");
    must(nl::set_up(sock, br->index), "bridge up");

    std::vector<double> netns_add, veth_add, attach, veth_del, netns_del;
    for (int i = 0; i < iterations; ++i) {
        std::string path = "/run/netns/floor" + std::to_string(i);
        auto t0 = Clock::now();
        must(netlib::netns::create_persistent(path), "create netns");
        netns_add.push_back(ms_since(t0));
        auto ns = must(netlib::netns::Netns::open(path), "open netns");

        t0 = Clock::now();
        must(nl::create_veth(sock, {.name = "vfloor", .peer_name = "eth0", .peer_netns_fd = ns.fd()}),
             "create veth");
        veth_add.push_back(ms_since(t0));

        t0 = Clock::now();
        auto host = must(nl::get_link(sock, "vfloor"), "get veth");
        must(nl::set_master(sock, host->index, br->index), "set master");
        must(nl::set_up(sock, host->index), "veth up");
        attach.push_back(ms_since(t0));

        t0 = Clock::now();
        must(nl::delete_link(sock, host->index), "delete veth");
        veth_del.push_back(ms_since(t0));

        t0 = Clock::now();
        must(netlib::netns::remove_persistent(path), "remove netns");
        netns_del.push_back(ms_since(t0));
    }
    std::printf("kernel floors, in-process netlink, %d iterations (ms)\n", iterations);
    std::printf("%-34s %8s %8s\n", "step", "p50", "p95");
    auto row = [](const char* n, const std::vector<double>& v) {
        auto s = stats(v);
        std::printf("%-34s %8.3f %8.3f\n", n, s.median, s.p95);
    };
    row("create netns (unshare+bind mount)", netns_add);
    row("create veth, peer in netns", veth_add);
    row("attach to bridge + up", attach);
    row("delete veth", veth_del);
    row("remove netns (umount+unlink)", netns_del);
    return 0;
}
