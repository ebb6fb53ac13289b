// Side-by-side benchmark of our plugins and the Go reference plugins (/usr/lib/cni):
// bridge+host-local ADD and DEL latency (median, p95) and VERSION exec time against
// /bin/true, on the same conflist, interleaved so both see the same machine state.
// Runs inside its own network and mount namespaces; the host network is never touched.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "netlib/netns/netns.hpp"

namespace {

using namespace bench;

std::string conflist(const std::string& name) {
    return R"({"cniVersion":"1.0.0","name":")" + name +
           R"(","type":"bridge","bridge":"bench0","isGateway":true,"ipMasq":false,)"
           R"("ipam":{"type":"host-local","dataDir":"/run/bench-ipam","ranges":[[{"subnet":"10.77.0.0/16"}]],)"
           R"("routes":[{"dst":"0.0.0.0/0"}]}})";
}

}  // namespace

int main(int argc, char** argv) {
    int iterations = argc > 1 ? std::atoi(argv[1]) : 50;
    std::string ours = argc > 2 ? argv[2] : "build/bin";
    std::string ref = "/usr/lib/cni";
    enter_sandbox();
    std::vector<Impl> impls = {{"netrun", ours}, {"reference", ref}};
    std::vector<std::vector<double>> add(2), del(2), ver(3);

    for (int i = 0; i < iterations; ++i) {
        for (std::size_t k = 0; k < impls.size(); ++k) {
            std::string id = "bench" + std::to_string(k) + "x" + std::to_string(i);
            std::string ns = "/run/netns/" + id;
            if (auto r = netlib::netns::create_persistent(ns); !r) {
                std::fprintf(stderr, "bench: create netns: %s\n", r.error().msg.c_str());
                return 1;
            }
            auto cfg = conflist("bench");
            std::string bin = impls[k].dir + "/bridge";
            add[k].push_back(timed({bin}, cni_env("ADD", impls[k], id, ns), cfg));
            del[k].push_back(timed({bin}, cni_env("DEL", impls[k], id, ns), cfg));
            (void)netlib::netns::remove_persistent(ns);
        }
        std::string vcfg = R"({"cniVersion":"1.0.0"})";
        for (std::size_t k = 0; k < impls.size(); ++k)
            ver[k].push_back(timed({impls[k].dir + "/bridge"}, cni_env("VERSION", impls[k], "", ""), vcfg));
        ver[2].push_back(timed({"/bin/true"}, {}, ""));
    }
    print_header("bridge+host-local", iterations);
    print_row("ADD", add[0], add[1]);
    print_row("DEL", del[0], del[1]);
    print_row("VERSION", ver[0], ver[1]);
    auto v0 = stats(ver[0]), vt = stats(ver[2]);
    std::printf("%-22s %10.2f %10.2f   (VERSION / true = %.2fx)\n", "/bin/true", vt.median, vt.p95,
                v0.median / vt.median);
    return 0;
}
