#!/usr/bin/env bash
# Runs inside the sandbox made by demo.sh (own network and mount namespaces): private /run,
# CNI state and image store, so the machine's real network and disks are left alone. This
# netns plays the host: netrun creates its bridge, NAT rules and the container here.
set -euo pipefail
mount -t tmpfs tmpfs /run
for d in /var/lib/cni /var/lib/netrun; do mkdir -p "$d" && mount -t tmpfs tmpfs "$d"; done
ip link set lo up
export PATH="$PWD/build/bin:$PATH"
trap 'netrun rm -f web >/dev/null 2>&1 || true' EXIT
echo "== netrun -d --name web -p 8088:80 netrun/busybox httpd -f -p 80 -h /www"
netrun -d --name web -p 8088:80 netrun/busybox httpd -f -p 80 -h /www
netrun ps
echo "== curl http://127.0.0.1:8088/"
page=""
for _ in 1 2 3 4 5 6 7 8 9 10; do
  page=$(curl -s -m 2 http://127.0.0.1:8088/) && break
  sleep 0.2
done
printf '%s\n' "$page"
[ "$page" = "hello from netrun" ] || { echo "demo FAILED: no page through the published port" >&2; exit 1; }
netrun rm -f web >/dev/null
echo "demo OK"
