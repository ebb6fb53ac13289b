#include "ipam/resolv_conf.hpp"

#include <vector>

#include "netlib/sys/files.hpp"

namespace ipam {

namespace {
std::vector<std::string_view> fields(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
        std::size_t j = i;
        while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
        if (j > i) out.push_back(line.substr(i, j - i));
        i = j;
    }
    return out;
}
}  // namespace

netlib::cni::Dns parse_resolv_conf(std::string_view text) {
    netlib::cni::Dns dns;
    while (!text.empty()) {
        auto nl = text.find('\n');
        auto f = fields(text.substr(0, nl));
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        if (f.size() < 2 || f[0].front() == '#' || f[0].front() == ';') continue;
        if (f[0] == "nameserver")
            dns.nameservers.emplace_back(f[1]);
        else if (f[0] == "domain")
            dns.domain = std::string(f[1]);
        else if (f[0] == "search")
            dns.search.insert(dns.search.end(), f.begin() + 1, f.end());
        else if (f[0] == "options")
            dns.options.insert(dns.options.end(), f.begin() + 1, f.end());
    }
    return dns;
}

netlib::Expected<netlib::cni::Dns> load_resolv_conf(const std::string& path) {
    auto text = netlib::sys::read_file(path);
    if (!text) return std::unexpected(netlib::with_context(text.error(), "ipam.resolvConf"));
    return parse_resolv_conf(*text);
}

}  // namespace ipam
