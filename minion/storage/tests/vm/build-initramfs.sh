#!/usr/bin/env bash
# Build the VM's initramfs: busybox, the storage tools with their libraries,
# the kernel modules device-mapper thin pools and XFS need, the static halite
# binary and the repository's states/, formulas/ and pillar/.
# usage: build-initramfs.sh OUT_DIR KERNEL_VERSION HALITE_BINARY REPO
set -euo pipefail
out=$1 kver=$2 halite=$3 repo=$4
root=$out/root
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,run,tmp,var/log,etc/lvm/profile,etc/sysconfig,srv,lib/modules/"$kver"}
cp /bin/busybox "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list); do
  [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
ln -s ../run "$root/var/run"

copy_binary() { # a binary and every shared library it loads
  local real
  real=$(readlink -f "$1")
  install -D -m755 "$real" "$root$1"
  ldd "$real" 2>/dev/null | grep -o '/[^ ]*' | while read -r lib; do
    [ -e "$root$lib" ] || install -D "$(readlink -f "$lib")" "$root$lib"
  done
}
for b in /usr/sbin/lvm /usr/sbin/dmsetup /usr/sbin/pdata_tools /usr/sbin/wipefs /usr/bin/lsblk /usr/bin/findmnt \
         /usr/sbin/parted /usr/sbin/mkfs /usr/sbin/mkfs.xfs /usr/sbin/xfs_spaceman /usr/sbin/xfs_db; do
  copy_binary "$b"
done
install -m755 /usr/sbin/xfs_info "$root/usr/sbin/xfs_info"
for t in thin_check thin_dump thin_repair thin_restore; do ln -s pdata_tools "$root/usr/sbin/$t"; done
for v in lvs vgs pvs lvcreate lvextend lvchange lvremove vgchange; do ln -s lvm "$root/usr/sbin/$v"; done
install -m755 "$halite" "$root/usr/bin/halite"
if ldd "$root/usr/bin/halite" 2>/dev/null | grep -q "=>"; then
  echo "build-initramfs: $halite is not static" >&2; exit 1
fi

# kernel modules in load order
: >"$root/modules.list"
for m in virtio_pci virtio_blk dm-thin-pool xfs; do
  modprobe -S "$kver" --show-depends "$m" | awk '$1 == "insmod" { print $2 }' | while read -r ko; do
    grep -qx "$ko" "$root/modules.list" || { echo "$ko" >>"$root/modules.list"; install -D -m644 "$ko" "$root$ko"; }
  done
done

# LVM without udev (no udevd in the VM): LVM makes the /dev nodes itself
cat >"$root/etc/lvm/lvm.conf" <<'CONF'
devices { obtain_device_list_from_udev = 0  external_device_info_source = "none"  use_devicesfile = 0 }
activation { udev_sync = 0  udev_rules = 0  monitoring = 0 }
global { thin_check_executable = "/usr/sbin/thin_check" }
backup { backup = 0  archive = 0 }
CONF

# the repository's node tree and one minion configuration per rack
cp -r "$repo/states" "$repo/formulas" "$repo/pillar" "$root/srv/"
cp -r "$(dirname "$0")/../fixtures/css" "$root/srv/css"
for rack in r12 r13; do
  mkdir -p "$root/etc/salt-$rack"
  cat >"$root/etc/salt-$rack/minion" <<CONF
id: vm-node-$rack
file_client: local
root_dir: /run/halite-$rack
file_roots:
  base: [/srv/states, /srv/formulas]
pillar_roots:
  base: [/srv/pillar]
grains:
  rack: $rack
  roles: [container-host]
CONF
done
cp "$(dirname "$0")/init.sh" "$root/init"
chmod 755 "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/initramfs.gz"
