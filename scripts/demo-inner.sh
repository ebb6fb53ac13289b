#!/usr/bin/env bash
# Runs inside the sandbox made by demo.sh: private /run and CNI state, loopback up.
set -euo pipefail
mount -t tmpfs tmpfs /run
mkdir -p /var/lib/cni && mount -t tmpfs tmpfs /var/lib/cni
ip link set lo up
NETRUN=build/bin/netrun
CONF=conf/demo-bridge.conflist
export CNI_PATH=$PWD/build/bin
for c in c1 c2; do
  ip netns add "$c"
  echo "== netrun net add $CONF /run/netns/$c"
  $NETRUN net add "$CONF" "/run/netns/$c" --id "$c"
done
addr() { ip -n "$1" -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1; }
echo "== c1 has $(addr c1), c2 has $(addr c2); bridge:"
ip -br addr show dev demo0
echo "== ping c1 -> c2"
ip netns exec c1 ping -c 3 -W 1 "$(addr c2)"
echo "== ping c2 -> gateway"
ip netns exec c2 ping -c 1 -W 1 10.99.0.1
for c in c1 c2; do $NETRUN net del "$CONF" "/run/netns/$c" --id "$c"; done
left=$(ip -o link show type veth | wc -l)
echo "== after DEL: $left veth left, leases: $(ls /var/lib/cni/networks/demo | grep -vc -e lock -e last_reserved || true)"
echo "demo OK"
