// main() for root test binaries: the whole test process moves into private network and
// mount namespaces before any test runs, with fresh tmpfs on /run and /var/lib/cni. The
// process's own netns is the throwaway "host"; nothing a test does (links, rules, netns
// bind mounts, leases, caches) can reach the real host, even when a test crashes.
#include <gtest/gtest.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

[[noreturn]] void skip(const char* why) {
    std::printf("SKIP: %s\n", why);
    std::exit(77);
}

void must(bool ok, const char* what) {
    if (!ok) {
        std::perror(what);
        std::exit(1);
    }
}

// A new netns starts with lo down; tests expect 127.0.0.1 to work.
void set_lo_up() {
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    must(fd >= 0, "socket for SIOCSIFFLAGS");
    ifreq ifr{};
    std::strcpy(ifr.ifr_name, "lo");
    must(::ioctl(fd, SIOCGIFFLAGS, &ifr) == 0, "get lo flags");
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
    must(::ioctl(fd, SIOCSIFFLAGS, &ifr) == 0, "set lo up");
    ::close(fd);
}

void enter_sandbox() {
    if (::geteuid() != 0) skip("needs root (creates network namespaces, links and NAT rules)");
    must(::unshare(CLONE_NEWNET | CLONE_NEWNS) == 0, "unshare(CLONE_NEWNET|CLONE_NEWNS)");
    must(::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0, "make / private");
    must(::mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755") == 0, "tmpfs on /run");
    ::mkdir("/var/lib", 0755);
    ::mkdir("/var/lib/cni", 0755);
    must(::mount("tmpfs", "/var/lib/cni", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755") == 0, "tmpfs on /var/lib/cni");
    // /sys shows the new netns' devices only after a fresh sysfs mount (ip netns exec does this too).
    ::umount2("/sys", MNT_DETACH);
    ::mount("sysfs", "/sys", "sysfs", 0, nullptr);
    set_lo_up();
}

}  // namespace

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    // Listing needs no privileges (IDEs, ctest discovery); running does.
    if (!GTEST_FLAG_GET(list_tests)) enter_sandbox();
    return RUN_ALL_TESTS();
}
