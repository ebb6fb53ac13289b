#pragma once
// Run a program with given argv/env and stdin, capturing stdout and stderr. posix_spawn
// (vfork-style) keeps the cost of a child close to the exec itself; stdin is fed while
// output is drained so neither side can block on a full pipe.
#include <string>
#include <string_view>
#include <vector>

#include "netlib/error.hpp"

namespace netlib::sys {

struct SpawnResult {
    int exit_status = -1;  // exit code, or 128+signal if killed
    std::string out;
    std::string err;
};

// env: full environment ("K=V"); argv[0] is the program path.
Expected<SpawnResult> spawn_capture(const std::vector<std::string>& argv,
                                    const std::vector<std::string>& env, std::string_view input);

}  // namespace netlib::sys
