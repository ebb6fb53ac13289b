#include "netlib/nat/nft_masq.hpp"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include "netlib/nat/names.hpp"
#include "netlib/nat/nft.hpp"
#include "netlib/nat/nft_batch.hpp"
#include "netlib/sys/files.hpp"
#include "netlib/sys/lines.hpp"

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

// Record: network, id, then "<map>\t<key>" per address.
std::vector<std::pair<std::string, std::string>> read_keys(const std::string& path,
                                                           std::string* net = nullptr,
                                                           std::string* id = nullptr) {
    std::vector<std::pair<std::string, std::string>> out;
    auto text = sys::read_file(path);
    if (!text) return out;
    const auto lines = sys::split_lines(*text);
    if (net && !lines.empty()) *net = lines[0];
    if (id && lines.size() > 1) *id = lines[1];
    for (std::size_t i = 2; i < lines.size(); ++i) {
        auto tab = lines[i].find('\t');
        if (tab != std::string_view::npos)
            out.emplace_back(lines[i].substr(0, tab), lines[i].substr(tab + 1));
    }
    return out;
}

// Removes the container's elements and chain; tolerant of any of them being gone.
Expected<> remove(Nft& nft, const std::string& chain,
                  const std::vector<std::pair<std::string, std::string>>& keys,
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
        NETLIB_TRYV(remove(nft, chain, read_keys(path), what));
    }
    std::string record = req.network + "\n" + req.container_id + "\n", elems, rules;
    for (const auto& n : req.ips) {
        record += map_of(n.addr) + "\t" + n.addr.str() + "\n";
        elems += "add element " + kT + " " + map_of(n.addr) + " { " + n.addr.str() + " : jump " +
                 chain + " }\n";
        rules += "add rule " + kT + " " + chain + (n.addr.is_v4() ? " ip" : " ip6") + " daddr " +
                 n.masked().str() + " accept\n";
    }
    rules += "add rule " + kT + " " + chain + " ip daddr 224.0.0.0/4 accept\n";
    rules += "add rule " + kT + " " + chain + " ip6 daddr ff00::/8 accept\n";
    rules += "add rule " + kT + " " + chain + " masquerade\n";
    NETLIB_TRYV(sys::write_file_atomic(path, record, 0600));
    const std::string comment = "netrun-masq net=" + req.network + " id=" + req.container_id;
    // The table is there (every ADD but the host's first): one direct transaction, no
    // libnftables. Otherwise the fixed part and the container's go in one libnftables run.
    if (auto direct = direct_add(req, chain, comment); direct && direct->commit(what)) return {};
    const std::string mine = "add chain " + kT + " " + chain + " { comment \"" + comment +
                             "\"; }\n" + rules + elems;
    auto nft = Nft::open();
    Expected<> r = nft ? nft->run(base_script() + mine, what) : Expected<>(std::unexpected(nft.error()));
    if (!r) ::unlink(path.c_str());
    return r;
}

Expected<> NftMasq::del(std::string_view network, std::string_view container_id) {
    const std::string chain = chain_of(network, container_id), path = dir_ + "/" + chain;
    if (::access(path.c_str(), F_OK) != 0) return {};
    const std::string what = "remove masquerade of \"" + std::string(container_id) + "\"";
    const auto keys = read_keys(path);
    // Elements then chain in one direct transaction; if that is refused (something is
    // already gone), libnftables removes what is left piece by piece.
    NftBatch direct{std::string(kTableName)};
    std::vector<NftSetElement> elems;
    bool encodable = true;
    for (const auto& [map, key] : keys) {
        auto bytes = nft_encode_data(key);
        if (!bytes) encodable = false;
        else elems.push_back({.set = map, .key = std::move(*bytes)});
    }
    direct.elements(NftElementOp::Delete, elems);
    direct.delete_chain(chain);
    if (!encodable || !direct.commit(what)) {
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
    sys::sweep_temp_files(dir_);  // records cut short by a crash
    std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir_.c_str()), ::closedir);
    if (!d) return {};
    std::vector<std::string> stale;
    while (auto* e = ::readdir(d.get())) {
        std::string name = e->d_name, net, id;
        if (name == "." || name == ".." || sys::is_temp_name(name)) continue;
        read_keys(dir_ + "/" + name, &net, &id);
        if (net == network && std::find(valid_ids.begin(), valid_ids.end(), id) == valid_ids.end())
            stale.push_back(id);
    }
    for (const auto& id : stale) NETLIB_TRYV(del(network, id));
    return {};
}

}  // namespace netlib::nat
