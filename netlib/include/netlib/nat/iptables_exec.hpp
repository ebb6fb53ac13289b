#pragma once
// Running iptables-save / iptables-restore (and the ip6tables twins). One restore batch
// per operation and family: the xtables lock is taken once, and the batch is atomic
// (legacy replaces the table in one commit, nft sends one netlink transaction).
#include <optional>
#include <string>
#include <string_view>

#include "netlib/error.hpp"
#include "netlib/ip/addr.hpp"
#include "netlib/sys/spawn.hpp"

namespace netlib::nat {

// Program names (looked up in PATH, then the usual sbin directories) or absolute paths.
struct IptablesTools {
    std::string save_v4 = "iptables-save";
    std::string restore_v4 = "iptables-restore";
    std::string save_v6 = "ip6tables-save";
    std::string restore_v6 = "ip6tables-restore";

    static IptablesTools system_default() { return {}; }  // whatever alternatives point to
    static IptablesTools nft();
    static IptablesTools legacy();
};

// Absolute path of an executable program, searched in $PATH then /usr/local/sbin,
// /usr/sbin, /sbin (runtimes often exec plugins with a PATH lacking the sbin dirs).
// A name containing '/' is returned as is when executable.
std::optional<std::string> find_program(std::string_view name);

// An iptables-restore under way (Iptables::start_restore). Destroying it unwaited kills the
// tool: its batch is then applied whole or not at all.
class PendingRestore {
  public:
    PendingRestore(sys::Child child, ip::Family f, std::string prog, std::string batch)
        : child_(std::move(child)), family_(f), prog_(std::move(prog)), batch_(std::move(batch)) {}
    // The outcome restore() would have given.
    Expected<> wait();
    // For Iptables::start_restore_awaiting_batch(): the batch, then wait(). An empty batch
    // changes nothing.
    Expected<> wait(std::string batch);

  private:
    Expected<> check(const sys::SpawnResult& r) const;

    sys::Child child_;
    ip::Family family_;
    std::string prog_, batch_;
};

class Iptables {
  public:
    explicit Iptables(IptablesTools tools = {}) : tools_(std::move(tools)) {}

    const IptablesTools& tools() const noexcept { return tools_; }

    // Whether the family's tools can be found at all (DEL/GC skip a family that cannot be,
    // since nothing of it can exist then).
    bool available(ip::Family f) const;

    // `<save> -t <table>` (every table when table is empty); stdout on success.
    Expected<std::string> save(ip::Family f, std::string_view table) const;

    // `<restore> --noflush -w 5` fed with batch. Fails with Code::Kernel carrying the
    // tool's stderr (which names the failing line).
    Expected<> restore(ip::Family f, std::string_view batch) const;
    // Whether the family's restore tool is iptables-nft (rules then live in nf_tables).
    bool is_nft(ip::Family f) const;

    // restore() started, so that the caller can do other work while the tool runs.
    Expected<PendingRestore> start_restore(ip::Family f, std::string batch) const;
    // The tool started before its batch is known (it starts up meanwhile).
    Expected<PendingRestore> start_restore_awaiting_batch(ip::Family f) const;

  private:
    IptablesTools tools_;
};

}  // namespace netlib::nat
