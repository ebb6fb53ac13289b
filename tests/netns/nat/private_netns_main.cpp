// main() for the NAT root tests: leaves the host's network and mounts behind before any test
// can touch iptables, so nothing here ever changes the real host's rules. A private /run
// also gives iptables-legacy its own xtables lock and the tests a scratch place for netns
// files. Not root: exit 77 (ctest SKIP_RETURN_CODE) with the reason.
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace {

int enter_private_namespaces() {
    if (::geteuid() != 0) {
        std::puts("SKIP: needs root (creates network namespaces and iptables rules)");
        return 77;
    }
    if (::unshare(CLONE_NEWNET | CLONE_NEWNS) != 0) {
        std::fprintf(stderr, "unshare(CLONE_NEWNET|CLONE_NEWNS): %s\n", std::strerror(errno));
        return 1;
    }
    // The backends keep locks and records under /var/lib/cni: those stay private too.
    ::mkdir("/var/lib/cni", 0755);
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        ::mount("tmpfs", "/run", "tmpfs", 0, "mode=0755") != 0 ||
        ::mount("tmpfs", "/var/lib/cni", "tmpfs", 0, "mode=0755") != 0) {
        std::fprintf(stderr, "private mounts: %s\n", std::strerror(errno));
        return 1;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (int rc = enter_private_namespaces(); rc != 0) return rc;
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
