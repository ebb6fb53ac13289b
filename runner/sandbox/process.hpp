#pragma once
// The last steps in the container: exec the command (docker's 126/127 on failure), or run a
// tiny init as PID 1 that execs it as its child, reaps every zombie and forwards signals.
#include <string>
#include <vector>

namespace netrun::sandbox {

// Never returns: exec or _exit(126/127) after a message on stderr.
[[noreturn]] void exec_command(const std::vector<std::string>& argv, const std::vector<std::string>& env);

// Never returns: exits with the command's status (128+signal if it was killed).
[[noreturn]] void run_init(const std::vector<std::string>& argv, const std::vector<std::string>& env);

// env with PATH added when missing (what docker does for images without one).
std::vector<std::string> with_default_path(std::vector<std::string> env);

}  // namespace netrun::sandbox
