#include "netlib/nat/port_owners.hpp"

#include <dirent.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "netlib/nat/iptables_portmap_rules.hpp"
#include "netlib/sys/lines.hpp"

namespace netlib::nat {

namespace {

std::string port_dir(const PortMapping& m) {
    return m.protocol + "-" + std::to_string(m.host_port);
}

std::string host_key(const PortMapping& m) {
    return m.host_ip ? m.host_ip->str() : "any";
}

std::string owner_text(const Owner& o) {
    return o.network + "\n" + o.container_id + "\n";
}

// First two lines of a record; nullopt when unreadable (a missing file is not an owner).
std::optional<Owner> read_owner(const std::string& path, std::vector<std::string>* rest = nullptr) {
    auto text = sys::read_file(path);
    if (!text) return std::nullopt;
    const auto lines = sys::split_lines(*text);
    if (lines.size() < 2) return std::nullopt;
    Owner o{std::string(lines[0]), std::string(lines[1])};
    for (std::size_t i = 2; rest && i < lines.size(); ++i)
        if (!lines[i].empty()) rest->emplace_back(lines[i]);
    return o;
}

std::vector<std::string> list_dir(const std::string& path) {
    std::vector<std::string> out;
    std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(path.c_str()), ::closedir);
    if (!d) return out;
    while (auto* e = ::readdir(d.get())) {
        std::string n = e->d_name;
        if (n != "." && n != ".." && !sys::is_temp_name(n)) out.push_back(std::move(n));
    }
    return out;
}

std::string describe(const Owner& o) {
    return "container \"" + o.container_id + "\" in network \"" + o.network + "\"";
}

}  // namespace

Expected<PortOwners> PortOwners::open(std::string dir) {
    // Held by our iptables-restore too: killed mid-ADD, we leave it to finish its batch, and
    // a DEL or GC must not read the rules before it has. The subdirectories are made when a
    // claim writes into them; readers take a missing one as empty.
    auto lock = NETLIB_TRY(
        sys::FileLock::acquire_creating_dir(dir + "/lock", sys::FileLock::Children::Hold));
    return PortOwners(std::move(dir), std::move(lock));
}

std::string PortOwners::owner_file(const Owner& o) const {
    return dir_ + "/owners/" + dnat_chain_name(o.network, o.container_id);
}

Expected<> PortOwners::claim(const Owner& owner, std::span<const PortMapping> mappings,
                             std::string_view backend) {
    // Check everything first, so a conflict records nothing.
    for (const auto& m : mappings) {
        const std::string pdir = dir_ + "/ports/" + port_dir(m);
        const std::string key = host_key(m);
        for (const auto& entry : list_dir(pdir)) {
            if (entry != key && entry != "any" && key != "any") continue;
            auto other = read_owner(pdir + "/" + entry);
            if (!other || *other == owner) continue;
            return fail(Code::PortConflict,
                        "host port " + m.protocol + "/" + std::to_string(m.host_port) +
                            (m.host_ip ? " on " + m.host_ip->str() : std::string()) +
                            " is already published by " + describe(*other) + " (on " +
                            (entry == "any" ? std::string("every address") : entry) +
                            "); pick another host port or remove that container");
        }
    }
    NETLIB_TRYV(release(owner));
    // Owner file first: a crash after it leaves claims DEL/GC can find through it.
    std::string record = owner_text(owner) + "backend=" + std::string(backend) + "\n";
    for (const auto& m : mappings) record += port_dir(m) + "/" + host_key(m) + "\n";
    NETLIB_TRYV(sys::mkdir_p(dir_ + "/owners", 0700));
    NETLIB_TRYV(sys::write_file_atomic(owner_file(owner), record, 0600));
    for (const auto& m : mappings) {
        const std::string pdir = dir_ + "/ports/" + port_dir(m);
        NETLIB_TRYV(sys::mkdir_p(pdir, 0700));
        NETLIB_TRYV(sys::write_file_atomic(pdir + "/" + host_key(m), owner_text(owner), 0600));
    }
    return {};
}

Expected<> PortOwners::release(const Owner& owner) {
    std::vector<std::string> keys;
    const std::string file = owner_file(owner);
    if (!read_owner(file, &keys)) return {};
    for (const auto& key : keys) {
        if (key.starts_with("backend=")) continue;
        const std::string path = dir_ + "/ports/" + key;
        // Only our own claim: another container may hold the key since (after our crash).
        auto holder = read_owner(path);
        if (holder && *holder == owner && ::unlink(path.c_str()) != 0 && errno != ENOENT)
            return fail_errno(Code::Io, "remove port record " + path, errno);
        const std::string pdir = path.substr(0, path.rfind('/'));
        sys::sweep_temp_files(pdir);  // a write cut short by a crash
        ::rmdir(pdir.c_str());        // only succeeds when empty
    }
    if (::unlink(file.c_str()) != 0 && errno != ENOENT)
        return fail_errno(Code::Io, "remove port owner record " + file, errno);
    return {};
}

bool PortOwners::recorded(const Owner& owner) const {
    auto o = read_owner(owner_file(owner));
    return o && *o == owner;
}

std::string PortOwners::backend_of(const Owner& owner) const {
    std::vector<std::string> lines;
    auto o = read_owner(owner_file(owner), &lines);
    if (!o || *o != owner) return {};
    for (const auto& l : lines)
        if (l.starts_with("backend=")) return l.substr(8);
    return {};
}

Expected<std::vector<Owner>> PortOwners::owners(std::string_view network) const {
    std::vector<Owner> out;
    sys::sweep_temp_files(dir_ + "/owners");  // GC's walk doubles as the crash sweep
    for (const auto& name : list_dir(dir_ + "/owners")) {
        auto o = read_owner(dir_ + "/owners/" + name);
        if (o && o->network == network) out.push_back(std::move(*o));
    }
    return out;
}

}  // namespace netlib::nat
