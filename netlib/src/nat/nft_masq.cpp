#include "netlib/nat/nft_masq.hpp"

#include <unistd.h>

#include <cerrno>

#include "netlib/nat/element_record.hpp"
#include "netlib/nat/names.hpp"
#include "netlib/nat/nft.hpp"
#include "netlib/nat/nft_batch.hpp"
#include "netlib/sys/files.hpp"

namespace netlib::nat {

namespace {

const std::string kT = "inet netrun_masq";
constexpr std::string_view kTableName = "netrun_masq";  // kT without the family

std::string chain_of(std::string_view network, std::string_view id) {
    return chain_name("masq-", network, id);
}

std::string base_script() {
    return "add table " + kT + "\n" + "add map " + kT + " src4 { type ipv4_addr : verdict; }\n" +
           "add map " + kT + " src6 { type ipv6_addr : verdict; }\n" + "add chain " + kT +
           " post { type nat hook postrouting priority srcnat; policy accept; }\n" +
           "flush chain " + kT + " post\n" + "add rule " + kT + " post ip saddr vmap @src4\n" +
           "add rule " + kT + " post ip6 saddr vmap @src6\n";
}

std::string map_of(const ip::Addr& a) {
    return a.is_v4() ? "src4" : "src6";
}

std::vector<SetKey> recorded_keys(const std::string& path) {
    auto r = read_element_record(path);
    return r ? std::move(r->elems) : std::vector<SetKey>{};
}

// Removes the container's elements and chain; tolerant of any of them being gone.
Expected<> remove(Nft& nft, const std::string& chain, const std::vector<SetKey>& keys,
                  std::string_view what) {
    std::string script;
    for (const auto& [map, key] : keys)
        script += "delete element " + kT + " " + map + " { " + key + " }\n";
    script += "delete chain " + kT + " " + chain + "\n";
    if (nft.run(script, what)) return {};
    for (const auto& [map, key] : keys)
        (void)nft.run("delete element " + kT + " " + map + " { " + key + " }\n", what);
    (void)nft.run("delete chain " + kT + " " + chain + "\n", what);
    return {};
}

// The container's chain, rules and map elements as one direct transaction; nullopt when
// an address is not one the direct encoding covers.
std::optional<NftBatch> direct_add(const MasqRequest& req, const std::string& chain,
                                   const std::string& comment) {
    NftBatch b{std::string(kTableName)};
    b.add_chain(chain, comment);
    std::vector<NftSetElement> elems;
    for (const auto& n : req.ips) {
        auto rule = NftRule::daddr_accept(n.masked());
        if (!rule) return std::nullopt;
        b.add_rule(chain, *rule);
        elems.push_back({.set = map_of(n.addr),
                         .key = {n.addr.bytes().begin(), n.addr.bytes().end()},
                         .jump = chain});
    }
    for (const char* multicast : {"224.0.0.0/4", "ff00::/8"})
        b.add_rule(chain, *NftRule::daddr_accept(*ip::Net::parse(multicast)));
    b.add_rule(chain, NftRule::masquerade());
    b.elements(NftElementOp::Add, elems);
    return b;
}

}  // namespace

Expected<> NftMasq::add(const MasqRequest& req) {
    if (req.ips.empty()) return {};
    const std::string what =
        "set up masquerade for container \"" + req.container_id + "\" (nftables)";
    NETLIB_TRYV(sys::mkdir_p(dir_, 0700));
    const std::string chain = chain_of(req.network, req.container_id), path = dir_ + "/" + chain;
    // Re-ADD replaces. Only then: a transaction the kernel refuses (deleting a chain that
    // is not there) costs an RCU grace period, 8-17 ms here, twice for remove()'s retry.
    if (::access(path.c_str(), F_OK) == 0) {
        auto nft = NETLIB_TRY(Nft::open());
        NETLIB_TRYV(remove(nft, chain, recorded_keys(path), what));
    }
    std::vector<SetKey> keys;
    for (const auto& n : req.ips) keys.emplace_back(map_of(n.addr), n.addr.str());
    NETLIB_TRYV(sys::write_file_atomic(
        path, element_record_text(req.network, req.container_id, keys), 0600));
    const std::string comment = "netrun-masq net=" + req.network + " id=" + req.container_id;
    // The table is there (every ADD but the host's first): one direct transaction, no
    // libnftables. Otherwise the fixed part and the container's go in one libnftables run.
    if (auto direct = direct_add(req, chain, comment); direct && direct->commit(what)) return {};
    std::string script = "add chain " + kT + " " + chain + " { comment \"" + comment + "\"; }\n";
    for (const auto& n : req.ips)
        script += "add rule " + kT + " " + chain + (n.addr.is_v4() ? " ip" : " ip6") + " daddr " +
                  n.masked().str() + " accept\n";
    script += "add rule " + kT + " " + chain + " ip daddr 224.0.0.0/4 accept\n";
    script += "add rule " + kT + " " + chain + " ip6 daddr ff00::/8 accept\n";
    script += "add rule " + kT + " " + chain + " masquerade\n";
    for (const auto& n : req.ips)
        script += "add element " + kT + " " + map_of(n.addr) + " { " + n.addr.str() + " : jump " +
                  chain + " }\n";
    auto nft = Nft::open();
    Expected<> r = nft ? nft->run(base_script() + script, what) : Expected<>(std::unexpected(nft.error()));
    if (!r) ::unlink(path.c_str());
    return r;
}

Expected<> NftMasq::del(std::string_view network, std::string_view container_id) {
    const std::string chain = chain_of(network, container_id), path = dir_ + "/" + chain;
    if (::access(path.c_str(), F_OK) != 0) return {};
    const std::string what = "remove masquerade of \"" + std::string(container_id) + "\"";
    const auto keys = recorded_keys(path);
    // Elements then chain in one direct transaction; if that is refused (something is
    // already gone), libnftables removes what is left piece by piece.
    auto elems = nft_elements(keys);
    NftBatch direct{std::string(kTableName)};
    if (elems) {
        direct.elements(NftElementOp::Delete, *elems);
        direct.delete_chain(chain);
    }
    if (!elems || !direct.commit(what)) {
        auto nft = NETLIB_TRY(Nft::open());
        NETLIB_TRYV(remove(nft, chain, keys, what));
    }
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
        return fail_errno(Code::Io, "remove masquerade record " + path, errno);
    return {};
}

Expected<> NftMasq::check(const MasqRequest& req) {
    auto nft = NETLIB_TRY(Nft::open());
    const std::string chain = chain_of(req.network, req.container_id);
    for (const auto& n : req.ips) {
        auto text = NETLIB_TRY(nft.list_text("get element " + kT + " " + map_of(n.addr) + " { " +
                                             n.addr.str() + " }"));
        if (text.find("jump " + chain) == std::string::npos)
            return fail(Code::CheckFailed, "check masquerade for container \"" + req.container_id +
                                               "\": nftables " + map_of(n.addr) + " lacks " +
                                               n.addr.str() + " -> " + chain);
    }
    return {};
}

Expected<> NftMasq::gc(std::string_view network, std::span<const std::string> valid_ids) {
    for (const auto& id : stale_recorded_ids(dir_, network, valid_ids)) NETLIB_TRYV(del(network, id));
    return {};
}

}  // namespace netlib::nat
