#pragma once
// Address ranges as host-local understands them: a range is [start, end] inside a subnet with
// a gateway that is never handed out; a range set is a pool of same-family ranges from which
// one address is allocated per ADD. Values here are already validated (see range_config.hpp).
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "netlib/ip/addr.hpp"

namespace ipam {

namespace ip = netlib::ip;

struct Range {
    ip::Net subnet;    // network address + prefix (host bits zero)
    ip::Addr start;    // first allocatable address, inclusive
    ip::Addr end;      // last allocatable address, inclusive
    ip::Addr gateway;  // returned as ips[].gateway, never allocated

    // In the subnet and within [start, end].
    bool contains(const ip::Addr& a) const noexcept;
    // The [start, end] intervals share at least one address (same family).
    bool overlaps(const Range& o) const noexcept;
    std::string str() const;  // "start-end", as the reference prints ranges

    friend bool operator==(const Range&, const Range&) = default;
};

struct RangeSet {
    std::vector<Range> ranges;  // non-empty, one family, pairwise disjoint

    ip::Family family() const noexcept { return ranges.front().start.family(); }
    const Range* range_for(const ip::Addr& a) const noexcept;
    bool contains(const ip::Addr& a) const noexcept { return range_for(a) != nullptr; }
    bool overlaps(const RangeSet& o) const noexcept;
    std::string str() const;  // "start-end,start-end"

    friend bool operator==(const RangeSet&, const RangeSet&) = default;
};

// Walks a range set once, round-robin: from the address after `last` (when `last` is in the
// set) or from the first range's start, across the ranges in order, wrapping around, and
// skipping each range's gateway. Every allocatable address is produced exactly once.
class Cursor {
  public:
    Cursor(const RangeSet& set, std::optional<ip::Addr> last);

    struct Pos {
        ip::Addr addr;
        std::size_t range = 0;  // index into set.ranges
    };
    std::optional<Pos> next();

  private:
    Pos successor(const Pos& p) const;

    const RangeSet* set_;
    Pos pos_;
    Pos first_;
    bool started_ = false;
};

}  // namespace ipam
