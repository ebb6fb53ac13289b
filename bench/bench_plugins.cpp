// Side-by-side benchmark of our plugins and the Go reference plugins (/usr/lib/cni):
// bridge+host-local ADD and DEL latency (median, p95) and VERSION exec time against
// /bin/true, on the same conflist, interleaved so both see the same machine state.
// Runs inside its own network and mount namespaces; the host network is never touched.
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "netlib/netns/netns.hpp"
#include "netlib/sys/spawn.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Impl {
    std::string label;
    std::string dir;  // CNI_PATH
};

struct Stats {
    double median = 0, p95 = 0;
};

Stats stats(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    if (v.empty()) return {};
    return {v[v.size() / 2], v[std::min(v.size() - 1, v.size() * 95 / 100)]};
}

std::string conflist(const std::string& name) {
    return R"({"cniVersion":"1.0.0","name":")" + name +
           R"(","type":"bridge","bridge":"bench0","isGateway":true,"ipMasq":false,)"
           R"("ipam":{"type":"host-local","dataDir":"/run/bench-ipam","ranges":[[{"subnet":"10.77.0.0/16"}]],)"
           R"("routes":[{"dst":"0.0.0.0/0"}]}})";
}

std::vector<std::string> env_for(const char* cmd, const Impl& impl, const std::string& id,
                                 const std::string& netns) {
    return {std::string("CNI_COMMAND=") + cmd, "CNI_CONTAINERID=" + id, "CNI_NETNS=" + netns,
            "CNI_IFNAME=eth0", "CNI_PATH=" + impl.dir, "PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
}

// Time one exec in milliseconds; abort on failure (a benchmark of failures is meaningless).
double timed(const std::vector<std::string>& argv, const std::vector<std::string>& env,
             const std::string& in) {
    auto t0 = Clock::now();
    auto r = netlib::sys::spawn_capture(argv, env, in);
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (!r || r->exit_status != 0) {
        std::fprintf(stderr, "bench: %s failed: %s %s\n", argv[0].c_str(),
                     r ? r->out.c_str() : r.error().msg.c_str(), r ? r->err.c_str() : "");
        std::exit(1);
    }
    return ms;
}

void enter_sandbox() {
    if (::unshare(CLONE_NEWNET | CLONE_NEWNS) != 0) {
        std::perror("bench: unshare (needs root)");
        std::exit(77);
    }
    ::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr);
    ::mount("tmpfs", "/run", "tmpfs", 0, nullptr);
    ::mkdir("/run/netns", 0755);
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
            add[k].push_back(timed({bin}, env_for("ADD", impls[k], id, ns), cfg));
            del[k].push_back(timed({bin}, env_for("DEL", impls[k], id, ns), cfg));
            (void)netlib::netns::remove_persistent(ns);
        }
        std::string vcfg = R"({"cniVersion":"1.0.0"})";
        for (std::size_t k = 0; k < impls.size(); ++k)
            ver[k].push_back(timed({impls[k].dir + "/bridge"}, env_for("VERSION", impls[k], "", ""), vcfg));
        ver[2].push_back(timed({"/bin/true"}, {}, ""));
    }
    auto a0 = stats(add[0]), a1 = stats(add[1]), d0 = stats(del[0]), d1 = stats(del[1]);
    auto v0 = stats(ver[0]), v1 = stats(ver[1]), vt = stats(ver[2]);
    std::printf("bridge+host-local, %d iterations each, interleaved (ms)\n", iterations);
    std::printf("%-22s %10s %10s %12s %12s %8s\n", "operation", "netrun p50", "netrun p95", "reference p50",
                "reference p95", "ratio");
    std::printf("%-22s %10.2f %10.2f %12.2f %12.2f %7.1fx\n", "ADD", a0.median, a0.p95, a1.median, a1.p95,
                a1.median / a0.median);
    std::printf("%-22s %10.2f %10.2f %12.2f %12.2f %7.1fx\n", "DEL", d0.median, d0.p95, d1.median, d1.p95,
                d1.median / d0.median);
    std::printf("%-22s %10.2f %10.2f %12.2f %12.2f %7.1fx\n", "VERSION", v0.median, v0.p95, v1.median, v1.p95,
                v1.median / v0.median);
    std::printf("%-22s %10.2f %10.2f   (VERSION / true = %.2fx)\n", "/bin/true", vt.median, vt.p95,
                v0.median / vt.median);
    return 0;
}
