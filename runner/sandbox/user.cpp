#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>
#include <algorithm>

#include "security.hpp"

namespace netrun::sandbox {

using netlib::Code;
using netlib::fail;

namespace {

bool all_digits(const std::string& s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos; }

// "name:x:uid:gid:..." lines of an /etc/passwd-like file; -1 when absent.
long lookup(const std::string& file, const std::string& name, int field) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        std::stringstream ss(line);
        std::vector<std::string> f;
        std::string x;
        while (std::getline(ss, x, ':')) f.push_back(x);
        if (f.size() > static_cast<std::size_t>(field) && f[0] == name && all_digits(f[static_cast<std::size_t>(field)]))
            return std::atol(f[static_cast<std::size_t>(field)].c_str());
    }
    return -1;
}

}  // namespace

netlib::Expected<Ids> resolve_user(const std::string& user) {
    Ids ids;
    if (user.empty()) return ids;
    auto colon = user.find(':');
    std::string u = user.substr(0, colon), g = colon == std::string::npos ? "" : user.substr(colon + 1);
    if (all_digits(u)) {
        ids.uid = static_cast<unsigned>(std::atol(u.c_str()));
    } else {
        long uid = lookup("/etc/passwd", u, 2);
        if (uid < 0) return fail(Code::InvalidConfig, "unable to find user " + u + ": no matching entries in passwd file");
        ids.uid = static_cast<unsigned>(uid);
        ids.gid = static_cast<unsigned>(std::max(0L, lookup("/etc/passwd", u, 3)));
    }
    if (!g.empty()) {
        if (all_digits(g)) {
            ids.gid = static_cast<unsigned>(std::atol(g.c_str()));
        } else {
            long gid = lookup("/etc/group", g, 2);
            if (gid < 0) return fail(Code::InvalidConfig, "unable to find group " + g + ": no matching entries in group file");
            ids.gid = static_cast<unsigned>(gid);
        }
    }
    return ids;
}

}  // namespace netrun::sandbox
