#pragma once
// netrun's container commands, one function per subcommand row in runner/main.cpp. Exit
// codes as docker: 125 for runner errors, 126/127 for command problems, else the container's.
#include <span>
#include <string_view>

namespace netrun::lifecycle {

int run_main(std::span<const std::string_view> args);
// `netrun [OPTIONS] -- CMD`: run with the built-in image.
int run_short_form(std::span<const std::string_view> args);
int ps_main(std::span<const std::string_view> args);
int stop_main(std::span<const std::string_view> args);
int kill_main(std::span<const std::string_view> args);
int rm_main(std::span<const std::string_view> args);
int exec_main(std::span<const std::string_view> args);
int logs_main(std::span<const std::string_view> args);
int inspect_main(std::span<const std::string_view> args);
int import_main(std::span<const std::string_view> args);
int images_main(std::span<const std::string_view> args);
int rmi_main(std::span<const std::string_view> args);
int gc_main(std::span<const std::string_view> args);
// `netrun network ...` with the in-use check against our containers.
int network_main(std::span<const std::string_view> args);

}  // namespace netrun::lifecycle
