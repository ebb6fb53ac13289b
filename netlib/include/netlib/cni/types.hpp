#pragma once
// CNI Result model (spec "Result" section), independent of the wire version. Conversion to
// and from JSON of a given cniVersion lives in result_json.hpp.
#include <optional>
#include <string>
#include <vector>

#include "netlib/ip/addr.hpp"

namespace netlib::cni {

struct Interface {
    std::string name;
    std::string mac;
    std::optional<int> mtu;
    std::string sandbox;  // netns path for container-side interfaces, empty on the host
    std::string socket_path;
    std::string pci_id;
    friend bool operator==(const Interface&, const Interface&) = default;
};

struct IpConfig {
    ip::Net address;  // interface address with prefix, host bits kept
    std::optional<ip::Addr> gateway;
    std::optional<int> interface;  // index into Result::interfaces
    friend bool operator==(const IpConfig&, const IpConfig&) = default;
};

struct Route {
    ip::Net dst;
    std::optional<ip::Addr> gw;
    std::optional<int> mtu;
    std::optional<int> advmss;
    std::optional<int> priority;
    std::optional<int> table;
    std::optional<int> scope;
    friend bool operator==(const Route&, const Route&) = default;
};

struct Dns {
    std::vector<std::string> nameservers;
    std::string domain;
    std::vector<std::string> search;
    std::vector<std::string> options;
    bool empty() const {
        return nameservers.empty() && domain.empty() && search.empty() && options.empty();
    }
    friend bool operator==(const Dns&, const Dns&) = default;
};

struct Result {
    std::vector<Interface> interfaces;
    std::vector<IpConfig> ips;
    std::vector<Route> routes;
    Dns dns;
    friend bool operator==(const Result&, const Result&) = default;
};

}  // namespace netlib::cni
