#!/usr/bin/env bash
# Fetch Debian's kernel (the linux-image-6.1.*-amd64 package linux-image-amd64 depends on)
# into a cache dir WITHOUT installing it (installing upgrades systemd/udev and writes /boot),
# and extract an uncompressed vmlinux once: it boots ~3 s faster under TCG.
# Usage: prepare_kernel.sh CACHE_DIR   -> prints the unpacked tree's path (CACHE_DIR/<pkg>)
set -euo pipefail
cache=${1:?usage: prepare_kernel.sh CACHE_DIR}
mkdir -p "$cache"
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
[ -n "$pkg" ] || { echo "vm: cannot resolve linux-image-amd64's kernel package (run apt-get update)" >&2; exit 1; }
tree=$cache/$pkg
if [ ! -f "$tree/.ready" ]; then
  tmp=$(mktemp -d "$cache/dl.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && apt-get download -q "$pkg" >&2) ||
    { echo "vm: apt-get download $pkg failed (needs Debian's apt repository)" >&2; exit 1; }
  rm -rf "$tree"
  dpkg-deb -x "$tmp"/"$pkg"_*.deb "$tree"
  touch "$tree/.ready"
fi
vmlinuz=$(ls "$tree"/boot/vmlinuz-* | head -n1)
if [ ! -f "$tree/vmlinux" ]; then
  # The bzImage carries an xz/zstd/gzip payload after its setup code: find the stream's magic
  # and decompress it; the ELF that comes out is bootable directly with -kernel.
  out=$tree/vmlinux.tmp
  for fmt in 'xz:\xfd7zXZ\x00:xz -dc' 'zstd:\x28\xb5\x2f\xfd:zstd -dc' 'gzip:\x1f\x8b\x08:gzip -dc'; do
    magic=$(cut -d: -f2 <<<"$fmt"); cmd=$(cut -d: -f3 <<<"$fmt")
    command -v "${cmd%% *}" >/dev/null || continue
    for off in $(LC_ALL=C grep -obUaP "$magic" "$vmlinuz" | cut -d: -f1); do
      if tail -c +$((off + 1)) "$vmlinuz" | $cmd 2>/dev/null >"$out"; [ -s "$out" ] &&
         head -c 4 "$out" | grep -q ELF; then
        mv "$out" "$tree/vmlinux"; break 2
      fi
    done
  done
  rm -f "$out"
  [ -f "$tree/vmlinux" ] || cp "$vmlinuz" "$tree/vmlinux"  # still boots, just slower
fi
echo "$tree"
