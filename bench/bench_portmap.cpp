// portmap: (1) bridge + host-local + portmap ADD/DEL of a real container, ours against the
// Go reference (/usr/lib/cni), interleaved; (2) portmap ADD/DEL latency with 1, 100, 500 and
// 1000 containers already published, per backend (the attached ones are portmap state only:
// ADDs with a fake prevResult). Private sandbox; the host network is never touched.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "netlib/nat/iptables_portmap_rules.hpp"
#include "netlib/netns/netns.hpp"

namespace {

using namespace bench;

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "bench: %s\n", what.c_str());
    std::exit(1);
}

// masq_backend: empty for the default (iptables).
std::string bridge_conf(int k, const std::string& masq_backend = "") {
    const std::string n = std::to_string(k);
    const std::string backend =
        masq_backend.empty() ? "" : R"("ipMasqBackend":")" + masq_backend + R"(",)";
    return R"({"cniVersion":"1.0.0","name":"bpm)" + n + R"(","type":"bridge","bridge":"bpm)" + n +
           R"(","isGateway":true,"ipMasq":true,)" + backend +
           R"("ipam":{"type":"host-local","dataDir":"/run/bpm-ipam)" + n +
           R"(","ranges":[[{"subnet":"10.8)" + n + R"(.0.0/16"}]]}})";
}

std::string portmap_conf(const std::string& net, const std::string& backend, int port,
                         const std::string& prev) {
    std::string c = R"({"cniVersion":"1.0.0","name":")" + net + R"(","type":"portmap",)";
    if (!backend.empty()) c += R"("backend":")" + backend + R"(",)";
    return c + R"("runtimeConfig":{"portMappings":[{"hostPort":)" + std::to_string(port) +
           R"(,"containerPort":80,"protocol":"tcp"}]},"prevResult":)" + prev + "}";
}

// Result JSON of a plugin exec (the bridge's, fed to portmap as prevResult).
std::string run_capture(const std::string& prog, const std::vector<std::string>& env,
                        const std::string& in, double& ms) {
    auto t0 = Clock::now();
    auto r = netlib::sys::spawn_capture({prog}, env, in);
    ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (!r || r->exit_status != 0) die(prog + " failed: " + (r ? r->out : r.error().msg));
    return r->out;
}

// The batch a new container's portmap ADD sends with the iptables backend (host set up).
netlib::nat::PortmapRequest floor_request(const std::string& id) {
    netlib::nat::PortmapRequest r;
    r.network = "bpm-floor";
    r.container_id = id;
    r.container_ips = {*netlib::ip::Net::parse("10.90.0.3/16")};
    r.host_ifaces = {"bpmf"};
    r.mappings = {{.host_port = 7000, .container_port = 80, .protocol = "tcp", .host_ip = {}}};
    return r;
}

void chained(int iterations, const std::string& ours, const std::string& floor_bin) {
    std::vector<Impl> impls = {{"netrun", ours}, {"reference", "/usr/lib/cni"}};
    std::vector<std::vector<double>> add(2), del(2), pm_add(2), pm_del(2);
    std::vector<double> nft_add, nft_chain_add, floor;
    const std::vector<std::string> tool_env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
    for (int i = 0; i < iterations; ++i) {
        for (std::size_t k = 0; k < impls.size(); ++k) {
            const std::string id = "c" + std::to_string(i) + "-" + std::to_string(k),
                              ns = "/run/netns/" + id;
            if (auto r = netlib::netns::create_persistent(ns); !r) die("netns: " + r.error().msg);
            const std::string br = impls[k].dir + "/bridge", pm = impls[k].dir + "/portmap";
            const std::string net = "bpm" + std::to_string(k);
            double t_br = 0, t_pm = 0;
            auto prev = run_capture(br, cni_env("ADD", impls[k], id, ns),
                                    bridge_conf(static_cast<int>(k)), t_br);
            const std::string pconf = portmap_conf(net, "", 8000 + i, prev);
            run_capture(pm, cni_env("ADD", impls[k], id, ns), pconf, t_pm);
            add[k].push_back(t_br + t_pm);
            pm_add[k].push_back(t_pm);
            double d_pm = timed({pm}, cni_env("DEL", impls[k], id, ns), pconf);
            if (k == 0) {
                // Ours with nftables on the same container (the reference has no nftables).
                const std::string nconf = portmap_conf(net, "nftables", 8000 + i, prev);
                run_capture(pm, cni_env("ADD", impls[k], id, ns), nconf, t_pm);
                nft_add.push_back(t_pm);
                timed({pm}, cni_env("DEL", impls[k], id, ns), nconf);
                // The design's floor: one process running the same kind of batch, nothing else.
                const auto req = floor_request(id);
                floor.push_back(timed({floor_bin}, tool_env,
                                      netlib::nat::portmap_new_container_add_batch(req, netlib::ip::Family::V4, true)));
                timed({"/usr/sbin/iptables-restore", "--noflush", "-w", "5"}, tool_env,
                      netlib::nat::portmap_known_del_batch(req, netlib::ip::Family::V4));
                // The whole chain with both plugins on nftables (another container).
                const std::string nid = id + "-nft", nns = "/run/netns/" + nid;
                if (auto r = netlib::netns::create_persistent(nns); !r) die("netns: " + r.error().msg);
                double nb = 0, np = 0;
                const std::string nbconf = bridge_conf(0, "nftables");
                auto nprev = run_capture(br, cni_env("ADD", impls[k], nid, nns), nbconf, nb);
                const std::string npconf = portmap_conf(net, "nftables", 8000 + i, nprev);
                run_capture(pm, cni_env("ADD", impls[k], nid, nns), npconf, np);
                nft_chain_add.push_back(nb + np);
                timed({pm}, cni_env("DEL", impls[k], nid, nns), npconf);
                timed({br}, cni_env("DEL", impls[k], nid, nns), nbconf);
                (void)netlib::netns::remove_persistent(nns);
            }
            double d_br =
                timed({br}, cni_env("DEL", impls[k], id, ns), bridge_conf(static_cast<int>(k)));
            del[k].push_back(d_pm + d_br);
            pm_del[k].push_back(d_pm);
            (void)netlib::netns::remove_persistent(ns);
        }
    }
    print_header("bridge + host-local + portmap (default backend: iptables)", iterations);
    print_row("bridge+portmap ADD", add[0], add[1]);
    print_row("bridge+portmap DEL", del[0], del[1]);
    print_row("portmap ADD", pm_add[0], pm_add[1]);
    print_row("portmap DEL", pm_del[0], pm_del[1]);
    print_row("portmap ADD nftables", nft_add, pm_add[1]);
    print_row("bridge+portmap ADD nft", nft_chain_add, add[1]);
    print_row("floor: 1 exec+restore", floor, pm_add[1]);
    std::printf("(nftables / nft: ours with portmap backend and bridge ipMasqBackend nftables; the\n"
                " reference has no nftables backend and is shown with iptables.\n"
                " floor: a process that only passes the same batch a new container's ADD sends to\n"
                " one iptables-restore; no iptables-backend ADD can be faster on this machine.)\n");
}

// Fake prevResult: one address, the host interface is a bridge that exists in the sandbox.
std::string fake_prev(int n) {
    return R"({"cniVersion":"1.0.0","interfaces":[{"name":"bpmf"},{"name":"eth0","sandbox":"/x"}],)"
           R"("ips":[{"address":"10.90.)" +
           std::to_string(n / 250) + "." + std::to_string(n % 250 + 2) + R"(/16","interface":1}]})";
}

void scaling(int iterations, const std::string& ours, const std::string& backend) {
    const Impl impl{"netrun", ours};
    const std::string pm = ours + "/portmap";
    std::printf("\nportmap %s ADD/DEL with N containers already published, %d iterations (ms)\n",
                backend.c_str(), iterations);
    std::printf("%-8s %10s %10s %10s %10s\n", "N", "ADD p50", "ADD p95", "DEL p50", "DEL p95");
    int attached = 0;
    double first_add = 0;
    for (int target : {1, 100, 500, 1000}) {
        for (; attached < target; ++attached) {
            const std::string id = "f" + std::to_string(attached);
            timed({pm}, cni_env("ADD", impl, id, "/run/netns/none"),
                  portmap_conf("bpmf", backend, 10000 + attached, fake_prev(attached)));
        }
        std::vector<double> add, del;
        for (int i = 0; i < iterations; ++i) {
            const std::string conf = portmap_conf("bpmf", backend, 9000, fake_prev(1100 + i));
            add.push_back(timed({pm}, cni_env("ADD", impl, "probe", "/run/netns/none"), conf));
            del.push_back(timed({pm}, cni_env("DEL", impl, "probe", "/run/netns/none"), conf));
        }
        auto a = stats(add), d = stats(del);
        if (target == 1) first_add = a.median;
        std::printf("%-8d %10.2f %10.2f %10.2f %10.2f   (ADD %.2fx of N=1)\n", target, a.median,
                    a.p95, d.median, d.p95, a.median / first_add);
    }
    for (int i = 0; i < attached; ++i)
        timed({pm}, cni_env("DEL", impl, "f" + std::to_string(i), "/run/netns/none"),
              portmap_conf("bpmf", backend, 10000 + i, fake_prev(i)));
}

}  // namespace

int main(int argc, char** argv) {
    int iterations = argc > 1 ? std::atoi(argv[1]) : 30;
    std::string ours = argc > 2 ? argv[2] : "build/bin";
    // Next to this benchmark's own binary.
    std::string self = argv[0];
    const std::string floor_bin = self.substr(0, self.rfind('/') + 1) + "bench_iptables_floor";
    enter_sandbox();
    std::system("ip link add bpmf type bridge && ip link set lo up");
    chained(iterations, ours, floor_bin);
    scaling(iterations, ours, "nftables");
    scaling(iterations, ours, "iptables");
    return 0;
}
