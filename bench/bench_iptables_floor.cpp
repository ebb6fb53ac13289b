// The floor of the iptables backend's design on this machine: a process that does nothing
// but hand its stdin to one `iptables-restore --noflush -w` and wait for it. A portmap ADD
// with iptables is at least this (its own exec plus one batch); bench_portmap times it
// with the same batch a new container's ADD sends, next to the plugins.
#include <spawn.h>
#include <sys/wait.h>

int main() {
    char prog[] = "/usr/sbin/iptables-restore";
    char a1[] = "--noflush", a2[] = "-w", a3[] = "5";
    char* argv[] = {prog, a1, a2, a3, nullptr};
    char path[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
    char* envp[] = {path, nullptr};
    pid_t pid = 0;
    if (posix_spawn(&pid, prog, nullptr, nullptr, argv, envp) != 0) return 127;
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) return 127;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}
