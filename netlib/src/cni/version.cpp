#include "netlib/cni/version.hpp"

#include <array>
#include <charconv>
#include <optional>

namespace netlib::cni {

namespace {
constexpr std::array<std::string_view, 5> kSupported = {"0.3.0", "0.3.1", "0.4.0", "1.0.0",
                                                        "1.1.0"};

std::optional<std::array<int, 3>> parse(std::string_view v) {
    std::array<int, 3> out{};
    for (int i = 0; i < 3; ++i) {
        auto dot = v.find('.');
        auto part = i < 2 ? v.substr(0, dot) : v;
        if (part.empty() || (i < 2 && dot == std::string_view::npos)) return std::nullopt;
        auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), out[i]);
        if (ec != std::errc{} || end != part.data() + part.size()) return std::nullopt;
        if (i < 2) v.remove_prefix(dot + 1);
    }
    return out;
}
}  // namespace

std::span<const std::string_view> supported_versions() { return kSupported; }

Expected<int> compare_versions(std::string_view a, std::string_view b) {
    auto pa = parse(a), pb = parse(b);
    if (!pa) return fail(Code::Decode, "invalid cniVersion \"" + std::string(a) + "\"");
    if (!pb) return fail(Code::Decode, "invalid cniVersion \"" + std::string(b) + "\"");
    return *pa < *pb ? -1 : (*pa == *pb ? 0 : 1);
}

bool is_supported(std::string_view v) {
    for (auto s : kSupported)
        if (s == v) return true;
    return false;
}

bool at_least(std::string_view v, std::string_view min) {
    auto c = compare_versions(v, min);
    return c && *c >= 0;
}

}  // namespace netlib::cni
