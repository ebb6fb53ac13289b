#pragma once
// The e2e tier's world: this test process's private netns is the "host" (NETNS_MAIN), with
// a veth uplink (uplink0, 192.168.77.2/24, default route) to an "outside" netns standing for
// another machine on the LAN (192.168.77.1). `netrun` runs as a user types it, with its
// state and image store in this binary's private /run. Helpers read what a container left
// in the kernel and on disk, so teardown tests assert on state, not on exit codes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "netrun_test/process.hpp"
#include "netrun_test/test_netns.hpp"

namespace e2e {

inline const std::string kHostIp = "192.168.77.2", kOutsideIp = "192.168.77.1";
inline constexpr const char* kPage = "hello from netrun\n";

// Runs `netrun ARGS...` with this test's NETRUN_ROOT/NETRUN_STATE.
netrun_test::ProcessResult nr(std::vector<std::string> args, int timeout_ms = 60000);
nlohmann::json inspect(const std::string& name);
std::string container_ip(const std::string& name);

// sh -c CMD in this (host) netns or in a netns path; stdout, or nullopt on failure.
std::optional<std::string> sh(const std::string& cmd, const std::string& netns = "");

// HTTP GET http://addr:port/ from `netns` ("" = the host); the body of a 200, or nullopt.
// Retries for 2 s: a detached server may still be starting.
std::optional<std::string> http_get(const std::string& netns, const std::string& addr, int port);
// One attempt (for "must not answer" checks).
std::optional<std::string> http_get_now(const std::string& netns, const std::string& addr,
                                        int port);

// Everything a container can leave behind, one line per item; empty when nothing is left:
// the /run/netns pin, CNI cache entries, host-local leases, iptables/nftables rules and
// elements naming its id, portmap owner records, veth ports on bridge netrun0.
std::string leftovers(const std::string& id, const std::string& name);

// Ports of bridge netrun0, polled for up to 5 s until there are `want`: a removed
// container's veth goes away when the kernel dismantles its netns, in the background.
int bridge_ports(int want);

// Stops and removes every container (TearDown of each test).
void remove_all_containers();

// The outside netns and the uplink, set up once per test binary.
class World : public ::testing::Environment {
  public:
    void SetUp() override;
    void TearDown() override;
    static const std::string& outside();  // netns path
};

// A TCP server in the outside netns answering each connection with the peer's address
// (proves masquerade: the container's traffic arrives from the host address).
class PeerEcho {
  public:
    explicit PeerEcho(int port);
    ~PeerEcho();
    PeerEcho(const PeerEcho&) = delete;
    PeerEcho& operator=(const PeerEcho&) = delete;

  private:
    int fd_ = -1;
    struct Impl;
    Impl* impl_ = nullptr;
};

}  // namespace e2e
