// macvlan + host-local ADD and DEL, ours against the Go reference (/usr/lib/cni), on the
// same config, interleaved, inside a private sandbox whose master is a veth `lan0`.
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

const char* kConf = R"({"cniVersion":"1.0.0","name":"benchmv","type":"macvlan","master":"lan0","mode":"bridge",)"
                    R"("ipam":{"type":"host-local","dataDir":"/run/bench-ipam","ranges":[[{"subnet":"10.78.0.0/16"}]],)"
                    R"("routes":[{"dst":"0.0.0.0/0"}]}})";

void must(bool ok, const netlib::Error* e) {
    if (ok) return;
    std::fprintf(stderr, "bench: cannot create master lan0: %s\n", e ? e->msg.c_str() : "vanished");
    std::exit(1);
}

// An up veth pair: lan0 is the master, its peer gives it carrier.
void make_master() {
    auto s = nl::Socket::open();
    must(s.has_value(), s ? nullptr : &s.error());
    auto made = nl::create_veth(*s, {.name = "lan0", .peer_name = "lanpeer"});
    must(made.has_value(), made ? nullptr : &made.error());
    for (const char* n : {"lan0", "lanpeer"}) {
        auto l = nl::get_link(*s, n);
        must(l && *l, l ? nullptr : &l.error());
        auto up = nl::set_up(*s, (*l)->index);
        must(up.has_value(), up ? nullptr : &up.error());
    }
}

}  // namespace

int main(int argc, char** argv) {
    int iterations = argc > 1 ? std::atoi(argv[1]) : 50;
    std::string ours = argc > 2 ? argv[2] : "build/bin";
    enter_sandbox();
    make_master();
    std::vector<Impl> impls = {{"netrun", ours}, {"reference", "/usr/lib/cni"}};
    std::vector<std::vector<double>> add(2), del(2);
    for (int i = 0; i < iterations; ++i) {
        for (std::size_t k = 0; k < impls.size(); ++k) {
            std::string id = "mv" + std::to_string(k) + "x" + std::to_string(i);
            std::string ns = "/run/netns/" + id;
            if (auto r = netlib::netns::create_persistent(ns); !r) {
                std::fprintf(stderr, "bench: create netns: %s\n", r.error().msg.c_str());
                return 1;
            }
            std::string bin = impls[k].dir + "/macvlan";
            add[k].push_back(timed({bin}, cni_env("ADD", impls[k], id, ns), kConf));
            del[k].push_back(timed({bin}, cni_env("DEL", impls[k], id, ns), kConf));
            (void)netlib::netns::remove_persistent(ns);
        }
    }
    print_header("macvlan+host-local", iterations);
    print_row("ADD", add[0], add[1]);
    print_row("DEL", del[0], del[1]);
    return 0;
}
