#include "netlib/nat/element_record.hpp"

#include <dirent.h>

#include <algorithm>
#include <memory>

#include "netlib/sys/files.hpp"
#include "netlib/sys/lines.hpp"

namespace netlib::nat {

std::string element_record_text(std::string_view network, std::string_view container_id,
                                std::span<const SetKey> elems) {
    std::string text = std::string(network) + "\n" + std::string(container_id) + "\n";
    for (const auto& [set, key] : elems) text += set + "\t" + key + "\n";
    return text;
}

std::optional<ElementRecord> read_element_record(const std::string& path) {
    auto text = sys::read_file(path);
    if (!text) return std::nullopt;
    const auto lines = sys::split_lines(*text);
    ElementRecord r;
    if (!lines.empty()) r.network = lines[0];
    if (lines.size() > 1) r.container_id = lines[1];
    for (std::size_t i = 2; i < lines.size(); ++i) {
        const auto tab = lines[i].find('\t');
        if (tab != std::string_view::npos)
            r.elems.emplace_back(lines[i].substr(0, tab), lines[i].substr(tab + 1));
    }
    return r;
}

std::vector<std::string> stale_recorded_ids(const std::string& dir, std::string_view network,
                                            std::span<const std::string> valid_ids) {
    sys::sweep_temp_files(dir);
    std::vector<std::string> stale;
    std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
    if (!d) return stale;
    while (auto* e = ::readdir(d.get())) {
        const std::string name = e->d_name;
        if (name == "." || name == ".." || sys::is_temp_name(name)) continue;
        auto r = read_element_record(dir + "/" + name);
        if (!r || r->network != network) continue;
        if (std::find(valid_ids.begin(), valid_ids.end(), r->container_id) == valid_ids.end())
            stale.push_back(r->container_id);
    }
    return stale;
}

}  // namespace netlib::nat
