// import, images, rmi over the image store.
#include <cstdio>
#include <iostream>

#include "container_ops.hpp"
#include "lifecycle.hpp"
#include "sandbox/spec.hpp"

namespace netrun::lifecycle {

int import_main(std::span<const std::string_view> args) {
    const char* usage = "usage: netrun import FILE [NAME]   (rootfs tar, docker save archive, OCI layout)\n";
    if (args.empty() || args.size() > 2 || args[0] == "--help") {
        std::fprintf(args.empty() || args[0] != "--help" ? stderr : stdout, "%s", usage);
        return args.size() == 1 && args[0] == "--help" ? 0 : sandbox::kExitRunnerError;
    }
    StateStore states;
    auto store = image_store(states);
    auto img = store.import(std::string(args[0]), args.size() > 1 ? std::string(args[1]) : std::string());
    if (!img) return fail_125(img.error());
    std::printf("%s\n", img->id.c_str());
    return 0;
}

int images_main(std::span<const std::string_view> args) {
    if (!args.empty()) return std::cout << "usage: netrun images\n", args[0] == "--help" ? 0 : sandbox::kExitRunnerError;
    StateStore states;
    auto store = image_store(states);
    (void)store.resolve(std::string(netrun::image::kDefaultImage));  // the built-in one is always there
    auto list = store.list();
    if (!list) return fail_125(list.error());
    std::printf("%-30s %-14s %-22s %s\n", "NAME", "IMAGE ID", "CREATED", "SIZE");
    for (const auto& i : *list)
        std::printf("%-30s %-14s %-22s %.1fMB\n", i.name.c_str(), i.id.substr(0, 12).c_str(), i.created.c_str(),
                    static_cast<double>(i.size_bytes) / 1e6);
    return 0;
}

int rmi_main(std::span<const std::string_view> args) {
    if (args.empty() || args[0] == "--help")
        return std::cout << "usage: netrun rmi IMAGE...\n", args.empty() ? sandbox::kExitRunnerError : 0;
    StateStore states;
    auto store = image_store(states);
    int rc = 0;
    for (auto a : args) {
        if (auto r = store.remove(std::string(a)); !r) rc = fail_125(r.error());
        else std::printf("Deleted: %s\n", std::string(a).c_str());
    }
    return rc;
}

}  // namespace netrun::lifecycle
