#!/usr/bin/env bash
# Build the guest's initramfs: busybox-static, /init (tests/vm/init.sh) and the kernel
# modules the vm-labelled tests need plus everything they depend on, in load order.
# Dependencies come from each module's .modinfo `depends=` (the data depmod turns into
# modules.dep; the unpacked package ships no modules.dep and the host has no depmod).
# Usage: build_initramfs.sh KERNEL_TREE OUT.cpio.gz
set -euo pipefail
tree=${1:?usage: build_initramfs.sh KERNEL_TREE OUT}; out=${2:?}
here=$(cd "$(dirname "$0")" && pwd)
moddir=$(ls -d "$tree"/lib/modules/*)
# virtio/9p: the host filesystem; overlay: writable root; the rest: what tests create
# (sctp and the NAT modules after it: portmap's SCTP mappings with both backends)
# (crc32c_generic: libcrc32c's soft dependency, which .modinfo does not list as depends=).
wanted=(crc32c_generic virtio_pci 9pnet_virtio 9p overlay veth bridge 8021q ipvlan macvlan dummy tun
        nf_tables nft_chain_nat nft_masq nft_compat nf_nat iptable_nat iptable_filter
        xt_MASQUERADE xt_comment xt_addrtype xt_conntrack xt_mark br_netfilter
        sctp nft_nat nft_ct nft_fib_inet nft_fib_ipv4 nft_fib_ipv6 xt_nat xt_sctp xt_multiport)
busybox=$(command -v busybox) || { echo "vm: busybox-static is not installed (scripts/setup.sh)" >&2; exit 1; }
! LC_ALL=C grep -aq '/ld-linux' "$busybox" || { echo "vm: $busybox is not static (install busybox-static)" >&2; exit 1; }

declare -A path_of=() seen=()
while IFS= read -r f; do n=$(basename "$f" .ko); path_of[${n//-/_}]=$f; done < <(find "$moddir/kernel" -name '*.ko')
order=()
add() {  # depth-first: dependencies before the module itself
  local n=${1//-/_}
  [[ -n ${seen[$n]:-} ]] && return; seen[$n]=1
  local f=${path_of[$n]:-}
  if [[ -z $f ]]; then
    grep -q "/${1}.ko\$" "$moddir/modules.builtin" 2>/dev/null && return
    echo "vm: kernel module $1 not found in $moddir" >&2; exit 1
  fi
  local deps; deps=$(LC_ALL=C grep -aoP 'depends=[^\x00]*' "$f" | head -n1 | cut -d= -f2)
  local d; for d in ${deps//,/ }; do add "$d"; done
  order+=("$n")
}
for m in "${wanted[@]}"; do add "$m"; done

stage=$(mktemp -d); trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,dev,proc,sys,host,rw,newroot,result,modules}
cp "$busybox" "$stage/bin/busybox"
cp "$here/init.sh" "$stage/init"; chmod +x "$stage/init"
for n in "${order[@]}"; do cp "${path_of[$n]}" "$stage/modules/$n.ko"; done
printf '%s\n' "${order[@]}" >"$stage/modules/order"
(cd "$stage" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) >"$out.tmp"
mv "$out.tmp" "$out"
