#include "validate.hpp"

#include "netlib/cni/validate_names.hpp"

#include <algorithm>
#include <cctype>

namespace netlib::cni {

namespace {
// ^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$ without pulling in <regex> (slow to construct per exec).
bool matches_id_pattern(std::string_view s) {
    if (s.empty() || !std::isalnum(static_cast<unsigned char>(s[0]))) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
    });
}
}  // namespace

Expected<> validate_container_id(std::string_view id) {
    if (id.empty()) return fail(Code::UnknownContainer, "missing containerID (CNI_CONTAINERID is empty)");
    if (!matches_id_pattern(id))
        return fail(Code::InvalidEnv, "invalid characters in containerID \"" + std::string(id) +
                                          "\" (allowed: letters, digits, '_', '.', '-'; must start "
                                          "with a letter or digit)");
    return {};
}

Expected<> validate_network_name(std::string_view name) {
    if (!matches_id_pattern(name))
        return fail(Code::InvalidConfig, "invalid network name \"" + std::string(name) +
                                             "\" (allowed: letters, digits, '_', '.', '-'; must "
                                             "start with a letter or digit)");
    return {};
}

Expected<> validate_ifname(std::string_view ifname) {
    auto bad = [&](std::string why) {
        return fail(Code::InvalidEnv, "invalid interface name \"" + std::string(ifname) + "\" in CNI_IFNAME: " + why);
    };
    if (ifname.empty()) return bad("empty");
    if (ifname.size() > 15) return bad("longer than 15 characters");
    if (ifname == "." || ifname == "..") return bad("'.' and '..' are not allowed");
    for (char c : ifname)
        if (c == '/' || c == ':' || std::isspace(static_cast<unsigned char>(c)))
            return bad("contains '/', ':' or whitespace");
    return {};
}

Expected<> validate_link_name(std::string_view name, std::string_view key) {
    auto r = validate_ifname(name);
    if (r) return r;
    auto msg = r.error().msg;
    auto pos = msg.find(" in CNI_IFNAME");
    if (pos != std::string::npos) msg.replace(pos, 14, " in config key \"" + std::string(key) + "\"");
    return fail(Code::InvalidConfig, msg);
}

Expected<std::vector<std::pair<std::string, std::string>>> parse_cni_args(
    std::string_view raw, const std::vector<std::string>& known) {
    std::vector<std::pair<std::string, std::string>> out;
    bool ignore_unknown = false;
    while (!raw.empty()) {
        auto semi = raw.find(';');
        auto pair = raw.substr(0, semi);
        raw = semi == std::string_view::npos ? std::string_view{} : raw.substr(semi + 1);
        if (pair.empty()) continue;
        auto eq = pair.find('=');
        if (eq == std::string_view::npos || eq == 0)
            return fail(Code::InvalidEnv, "CNI_ARGS: invalid pair \"" + std::string(pair) + "\" (want KEY=VALUE)");
        std::string k(pair.substr(0, eq)), v(pair.substr(eq + 1));
        if (k == "IgnoreUnknown") {
            ignore_unknown = v == "1" || v == "true" || v == "True" || v == "TRUE";
            continue;
        }
        out.emplace_back(std::move(k), std::move(v));
    }
    if (!ignore_unknown) {
        for (const auto& [k, v] : out)
            if (std::find(known.begin(), known.end(), k) == known.end())
                return fail(Code::UnsupportedField, "CNI_ARGS: unknown key \"" + k +
                                                        "\" (send IgnoreUnknown=1 to ignore unknown keys)");
    }
    return out;
}

}  // namespace netlib::cni
