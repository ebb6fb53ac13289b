#include "net/network_plan.hpp"

#include "net/port_spec.hpp"

namespace netrun::net {

using netlib::Code;
using netlib::fail;

namespace {

netlib::Error conflict(const std::string& what, const std::string& mode) {
    return {static_cast<int>(Code::InvalidConfig),
            "conflicting options: " + what + " and the " + mode + " network mode",
            {}};
}

}  // namespace

std::string interface_name(std::size_t index) {
    return "eth" + std::to_string(index);
}

std::string_view mode_name(NetMode m) {
    switch (m) {
        case NetMode::None:
            return "none";
        case NetMode::Host:
            return "host";
        case NetMode::Container:
            return "container";
        case NetMode::Cni:
            return "cni";
    }
    return "?";
}

netlib::Expected<NetworkPlan> plan_networks(std::span<const std::string> nets,
                                            std::span<const std::string> publish,
                                            const std::string& ip, const std::string& mac) {
    NetworkPlan plan;
    std::vector<std::string> values(nets.begin(), nets.end());
    if (values.empty()) values.push_back("bridge");
    std::string special;  // host, none or container:X among the values
    for (const auto& v : values) {
        if (v.empty()) return fail(Code::InvalidConfig, "--net: empty network name");
        if (v == "host" || v == "none" || v.starts_with("container:")) {
            if (values.size() > 1)
                return fail(Code::InvalidConfig,
                            "--net " + v +
                                " cannot be combined with other networks (docker: "
                                "\"container cannot be disconnected from host network "
                                "or connected to host network\")");
            special = v;
        } else if (v == "default") {
            plan.networks.push_back("bridge");
        } else {
            for (const auto& seen : plan.networks)
                if (seen == v) return fail(Code::InvalidConfig, "--net " + v + " given twice");
            plan.networks.push_back(v);
        }
    }
    if (special == "host")
        plan.mode = NetMode::Host;
    else if (special == "none")
        plan.mode = NetMode::None;
    else if (!special.empty()) {
        plan.mode = NetMode::Container;
        plan.container = special.substr(10);
        if (plan.container.empty())
            return fail(Code::InvalidConfig, "--net container: needs a container name or id");
    }
    if (plan.mode != NetMode::Cni) {
        const std::string mode = special.starts_with("container:") ? "container" : special;
        if (!publish.empty()) return std::unexpected(conflict("port publishing (-p)", mode));
        if (!ip.empty()) return std::unexpected(conflict("--ip", mode));
        if (!mac.empty()) return std::unexpected(conflict("--mac-address", mode));
        return plan;
    }
    for (const auto& p : publish)
        for (auto& m : NETLIB_TRY(parse_publish(p))) plan.port_mappings.push_back(std::move(m));
    plan.ip = ip;
    plan.mac = mac;
    return plan;
}

}  // namespace netrun::net
