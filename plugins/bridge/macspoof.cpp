// macspoofchk: frames entering the bridge from a container's port must carry the
// container's MAC. Own nftables table; the prerouting chain dispatches through a verdict map
// keyed by the host port, so one ADD/DEL touches one element and one chain whatever the
// number of containers. Each container chain carries a comment naming its attachment, so
// DEL works without the port name and GC finds attachments the runtime no longer knows.
#include <algorithm>

#include "bridge_steps.hpp"
#include "netlib/nat/names.hpp"
#include "netlib/nat/nft.hpp"
#include "netlib/sys/lines.hpp"

namespace bridge {

using netlib::Expected;
using nlohmann::json;
namespace cni = netlib::cni;

namespace {

constexpr std::string_view kTable = "bridge netrun_macspoof";

std::string chain_for(std::string_view network, std::string_view cid, std::string_view ifname) {
    return netlib::nat::chain_name("mac-", network, std::string(cid) + "/" + std::string(ifname));
}

std::string owner(std::string_view network, std::string_view cid, std::string_view ifname) {
    return "netrun macspoofchk net=" + std::string(network) + " id=" + std::string(cid) + " if=" + std::string(ifname);
}

// Elements of the ports map as (port, target chain).
std::vector<std::pair<std::string, std::string>> port_elements(const json& listing) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& item : listing.value("nftables", json::array())) {
        if (!item.contains("map")) continue;
        for (const auto& e : item["map"].value("elem", json::array())) {
            if (!e.is_array() || e.size() != 2 || !e[0].is_string()) continue;
            const auto& v = e[1];
            if (v.contains("jump")) out.emplace_back(e[0].get<std::string>(), v["jump"].value("target", ""));
        }
    }
    return out;
}

// Deletion batch for the chains in `chains`: their map elements first, then the chains.
std::string delete_script(const json& map_listing, const std::vector<std::string>& chains) {
    std::string s;
    for (const auto& [port, target] : port_elements(map_listing))
        if (std::find(chains.begin(), chains.end(), target) != chains.end())
            s += "delete element " + std::string(kTable) + " ports { \"" + port + "\" }\n";
    for (const auto& c : chains) s += "delete chain " + std::string(kTable) + " " + c + "\n";
    return s;
}

}  // namespace

Expected<> add_macspoof(const cni::Request& req, const std::string& host_port, const std::string& mac) {
    auto nft = NETLIB_TRY(netlib::nat::Nft::open());
    const std::string t(kTable), c = chain_for(req.name, req.container_id, req.ifname);
    std::string s = "add table " + t + "\n" +
                    "add chain " + t + " prerouting { type filter hook prerouting priority -300; policy accept; }\n" +
                    "add map " + t + " ports { type ifname : verdict; }\n" +
                    "flush chain " + t + " prerouting\n" +
                    "add rule " + t + " prerouting iifname vmap @ports\n" +
                    "add chain " + t + " " + c + " { comment \"" + owner(req.name, req.container_id, req.ifname) + "\"; }\n" +
                    "flush chain " + t + " " + c + "\n" +
                    "add rule " + t + " " + c + " ether saddr " + mac + " return\n" +
                    "add rule " + t + " " + c + " drop\n" +
                    "add element " + t + " ports { \"" + host_port + "\" : jump " + c + " }\n";
    return nft.run(s, "macspoofchk for " + host_port);
}

Expected<> del_macspoof(const cni::Request& req) {
    auto nft = NETLIB_TRY(netlib::nat::Nft::open());
    auto listing = NETLIB_TRY(nft.list("list table " + std::string(kTable)));
    const std::string c = chain_for(req.name, req.container_id, req.ifname);
    bool exists = false;
    for (const auto& item : listing.value("nftables", json::array()))
        exists |= item.contains("chain") && item["chain"].value("name", "") == c;
    if (!exists) return {};
    return nft.run(delete_script(listing, {c}), "remove macspoofchk of " + req.container_id);
}

Expected<> check_macspoof(const cni::Request& req, const std::string& host_port) {
    auto nft = NETLIB_TRY(netlib::nat::Nft::open());
    auto listing = NETLIB_TRY(nft.list("list table " + std::string(kTable)));
    const std::string c = chain_for(req.name, req.container_id, req.ifname);
    for (const auto& [port, target] : port_elements(listing))
        if (port == host_port && target == c) return {};
    return netlib::fail(netlib::Code::CheckFailed, "macspoofchk rule for port " + host_port + " is missing");
}

Expected<> gc_macspoof(const cni::Request& req) {
    auto nft = NETLIB_TRY(netlib::nat::Nft::open());
    auto listing = NETLIB_TRY(nft.list("list table " + std::string(kTable)));
    auto text = NETLIB_TRY(nft.list_text("list table " + std::string(kTable)));
    std::vector<std::string> stale;
    const std::string mine = "netrun macspoofchk net=" + req.name + " ";
    std::string chain;
    for (std::string_view line : netlib::sys::split_lines(text)) {
        auto pos = line.find_first_not_of(" \t");
        if (pos == std::string_view::npos) continue;
        std::string_view l = line.substr(pos);
        if (l.starts_with("chain ")) {
            chain = std::string(l.substr(6, l.find(' ', 6) - 6));
            continue;
        }
        if (!l.starts_with("comment \"") || chain.empty()) continue;
        std::string comment(l.substr(9, l.rfind('"') - 9));
        if (!comment.starts_with(mine)) continue;
        bool valid = std::any_of(req.valid_attachments.begin(), req.valid_attachments.end(), [&](const auto& a) {
            return comment == owner(req.name, a.container_id, a.ifname);
        });
        if (!valid) stale.push_back(chain);
    }
    if (stale.empty()) return {};
    return nft.run(delete_script(listing, stale), "garbage-collect macspoofchk of network " + req.name);
}

}  // namespace bridge
