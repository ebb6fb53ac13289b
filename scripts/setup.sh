#!/usr/bin/env bash
# Install everything netrun needs to build and test, from Debian's repository only.
# Idempotent: when every package is already present it changes nothing.
set -euo pipefail
PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libmnl-dev libnftables-dev libnl-3-dev libnl-route-3-dev nlohmann-json3-dev libboost-dev
  libgtest-dev libgmock-dev
  iproute2 iptables nftables iputils-ping procps util-linux
  containernetworking-plugins   # Go reference plugins: interop tests and benchmarks
  qemu-system-x86 busybox-static   # VM tier (tests/vm): boots Debian's kernel for ipvlan/vlan/dummy/bridge VLAN tests
  hyperfine                     # benchmarks
  curl                          # the main job (scripts/demo.sh) fetches the published page
  libseccomp-dev                # runner: seccomp filters
  ccache                        # shared compile cache across build dirs (sanitizer, helpers)
  libarchive-dev nettle-dev libacl1-dev libzstd-dev liblz4-dev liblzma-dev libbz2-dev zlib1g-dev busybox-static podman  # runner images: libarchive (static) import, sha256, embedded default image; podman writes archives for the interop test
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  [ "$(id -u)" = 0 ] || { echo "setup: must run as root to install packages" >&2; exit 1; }
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
