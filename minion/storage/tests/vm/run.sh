#!/usr/bin/env bash
# The storage VM test: boot Debian's kernel under qemu (TCG, no KVM needed)
# with two empty virtio disks and run the repository's storage state with
# the static halite binary (init.sh), then check the console's verdict.
# usage: minion/storage/tests/vm/run.sh HALITE_STATIC_BINARY
#   HALITE_VM_DIR=DIR  keep the work files there (default: a temp dir)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../../.." && pwd)"
halite=$(readlink -f "$1")
kernel=$(ls /boot/vmlinuz-* | sort -V | tail -1)
kver=${kernel#/boot/vmlinuz-}
work="${HALITE_VM_DIR:-$(mktemp -d /tmp/halite-vm.XXXXXX)}"
mkdir -p "$work"
"$here/build-initramfs.sh" "$work" "$kver" "$halite" "$repo"
rm -f "$work"/vd{a,b,c}.img
# vda stays empty (a node's system disk); vdb (4 GiB: c-s-s's MIN_DATA_SIZE
# is 2G) is r13's docker disk, vdc r12's containers disk.
truncate -s 64M "$work/vda.img"
truncate -s 4G "$work/vdb.img"
truncate -s 1G "$work/vdc.img"
accel=tcg,thread=multi
start=$(date +%s)
timeout 900 qemu-system-x86_64 -accel "$accel" -cpu max -m 1024 -smp 2 -nographic -no-reboot \
  -kernel "$kernel" -initrd "$work/initramfs.gz" -append "console=ttyS0 panic=-1 quiet" \
  -drive file="$work/vda.img",if=virtio,format=raw -drive file="$work/vdb.img",if=virtio,format=raw -drive file="$work/vdc.img",if=virtio,format=raw \
  </dev/null >"$work/console.log" 2>&1 || true
echo "storage VM: $(( $(date +%s) - start )) s, console in $work/console.log"
grep -E '^(VMTEST|===)' "$work/console.log" || true
grep -q '=== VMTEST DONE failed=0 ===' "$work/console.log" || { echo "storage VM test FAILED" >&2; tail -60 "$work/console.log" >&2; exit 1; }
