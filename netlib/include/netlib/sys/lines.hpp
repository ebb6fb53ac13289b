#pragma once
// Lines of a small text (records, listings) without iostreams: a plugin process that never
// builds a stream skips the C++ locale set-up, ~0.2 ms of every exec on these machines.
#include <string_view>
#include <vector>

namespace netlib::sys {

// Split on '\n' as std::getline would: "a\nb\n" and "a\nb" are {"a", "b"}, "a\n\nb" is
// {"a", "", "b"}, "" is {}. The views point into text.
inline std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> out;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        out.push_back(text.substr(0, nl));
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
    }
    return out;
}

}  // namespace netlib::sys
