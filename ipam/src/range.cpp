#include "ipam/range.hpp"

namespace ipam {

bool Range::contains(const ip::Addr& a) const noexcept {
    return subnet.contains(a) && start <= a && a <= end;
}

bool Range::overlaps(const Range& o) const noexcept {
    if (start.family() != o.start.family()) return false;
    return start <= o.end && o.start <= end;
}

std::string Range::str() const {
    return start.str() + "-" + end.str();
}

const Range* RangeSet::range_for(const ip::Addr& a) const noexcept {
    for (const auto& r : ranges)
        if (r.contains(a)) return &r;
    return nullptr;
}

bool RangeSet::overlaps(const RangeSet& o) const noexcept {
    for (const auto& a : ranges)
        for (const auto& b : o.ranges)
            if (a.overlaps(b)) return true;
    return false;
}

std::string RangeSet::str() const {
    std::string out;
    for (const auto& r : ranges) out += (out.empty() ? "" : ",") + r.str();
    return out;
}

Cursor::Cursor(const RangeSet& set, std::optional<ip::Addr> last) : set_(&set) {
    pos_ = {set.ranges.front().start, 0};
    for (std::size_t i = 0; last && i < set.ranges.size(); ++i) {
        if (set.ranges[i].contains(*last)) {
            pos_ = successor({*last, i});
            break;
        }
    }
    first_ = pos_;
}

Cursor::Pos Cursor::successor(const Pos& p) const {
    const auto& r = set_->ranges[p.range];
    if (p.addr == r.end) {
        std::size_t n = (p.range + 1) % set_->ranges.size();
        return {set_->ranges[n].start, n};
    }
    return {p.addr.next(), p.range};
}

std::optional<Cursor::Pos> Cursor::next() {
    for (;;) {
        if (started_ && pos_.addr == first_.addr && pos_.range == first_.range) return std::nullopt;
        Pos here = pos_;
        pos_ = successor(pos_);
        started_ = true;
        if (here.addr != set_->ranges[here.range].gateway) return here;
    }
}

}  // namespace ipam
