#!/bin/busybox sh
# PID 1 of the VM tier's guest. Loads the modules, mounts the host's / (read-only 9p) under
# a tmpfs overlay so the host's build tree and tools appear at the same paths, then runs the
# command from the kernel command line (netrun.cmd=<base64>) chrooted there. Its exit status
# goes to the writable 9p share `result`; everything printed goes to the serial console.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in $(cat /modules/order); do
  insmod /modules/$m.ko 2>/dev/null || grep -q "^$m " /proc/modules || echo "vm-init: insmod $m failed"
done
fail() { echo "vm-init: $*"; poweroff -f; }
opts=trans=virtio,version=9p2000.L,msize=1048576
mount -t 9p -o $opts result /result || fail "cannot mount the result share"
echo 125 >/result/rc   # overwritten by the command's status; stays if the guest dies first
mount -t 9p -o $opts,ro,cache=loose hostroot /host || fail "cannot mount the host root over 9p"
mount -t tmpfs -o size=512m rw /rw && mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/host,upperdir=/rw/upper,workdir=/rw/work overlay /newroot ||
  fail "cannot mount the overlay root"
# Fresh kernel filesystems and an empty /run,/tmp: nothing of the host's runtime state leaks in.
for d in proc sys dev run tmp; do mkdir -p /newroot/$d; done
mount -t proc proc /newroot/proc; mount -t sysfs sys /newroot/sys; mount -t devtmpfs dev /newroot/dev
mount -t cgroup2 cgroup2 /newroot/sys/fs/cgroup   # the runner's sandbox tests need cgroup v2
# What systemd does on a normal host: every controller available to child cgroups.
for c in $(cat /newroot/sys/fs/cgroup/cgroup.controllers); do
  echo "+$c" >/newroot/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
done
cmd=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^netrun.cmd=//p' | base64 -d)
# A checkout under /tmp or /run (CI clones often live there) must survive the fresh tmpfs
# mounts below: hold its directory (the build dir's parent, the source tree) aside and move
# it back on top.
bdir=$(echo "$cmd" | sed -n 's/^cd \([^ ]*\) &&.*/\1/p')
tree=${bdir%/*}
case "$tree" in
  /tmp/*|/run/*|/var/lib/cni/*) mkdir -p /keep && mount --bind "/newroot$tree" /keep || fail "cannot hold $tree";;
  *) tree=;;
esac
mount -t tmpfs tmp /newroot/run; mount -t tmpfs tmp /newroot/tmp
mkdir -p /newroot/dev/pts /newroot/dev/shm; mount -t devpts pts /newroot/dev/pts; mount -t tmpfs shm /newroot/dev/shm
mkdir -p /newroot/var/lib/cni; mount -t tmpfs tmp /newroot/var/lib/cni
if [ -n "$tree" ]; then mkdir -p "/newroot$tree" && mount --move /keep "/newroot$tree" || fail "cannot restore $tree"; fi
ip link set lo up
echo "vm-init: $(uname -r), $(nproc) vCPUs, running: $cmd"
chroot /newroot /bin/sh -c "$cmd"
echo $? >/result/rc
sync
poweroff -f
