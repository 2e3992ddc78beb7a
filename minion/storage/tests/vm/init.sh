#!/bin/busybox sh
# PID 1 of the storage VM: load dm-thin and XFS, then run the repository's
# `storage` state with the static halite binary for rack r13 (devicemapper
# thin pool on /dev/vdb) and rack r12 (overlay2 on an XFS LV of /dev/vdc),
# checking the results. Every check prints `VMTEST ok:` or `VMTEST FAIL:`.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LVM_SUPPRESS_FD_WARNINGS=1
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp; mount -t tmpfs run /run
mkdir -p /run/lvm /run/lock/lvm /var/lib /etc/containers
while read -r ko; do insmod "$ko" || echo "insmod $ko failed"; done </modules.list
echo "T+$(cut -d' ' -f1 /proc/uptime) modules loaded"

failed=0
ok() { echo "VMTEST ok: $*"; }
bad() { echo "VMTEST FAIL: $*"; failed=$((failed + 1)); }
check() { what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
unchanged() { grep -q "^Succeeded: " /tmp/out && ! grep -q "changed=" /tmp/out; }
lvfield() { lvs --noheadings -o "$2" "$1" 2>/dev/null | tr -d ' '; }

apply() { # RACK [ARGS...]: state.apply storage, output kept in /tmp/out
  rack=$1; shift
  halite call -c "/etc/salt-$rack" --local state.apply storage "$@" >/tmp/out 2>/tmp/err
  rc=$?
  cat /tmp/out
  return $rc
}

echo "=== r13: devicemapper thin pool (docker-storage-setup layout) ==="
listed() { grep '^ *- ' /tmp/out | sed 's/^ *- //' | grep -v '^wait for '; }
apply r13 test=True; check "r13 test=True exits 0" [ $? -eq 0 ]
listed >/tmp/plan.lines
check "r13 test=True plans the thin pool" grep -q "lvcreate -y --type thin-pool --zero n -c 512K --poolmetadatasize" /tmp/out
check "r13 test=True changes nothing" [ -z "$(lvs --noheadings 2>/dev/null)" ]
apply r13 --retcode-passthrough; check "r13 apply succeeds" [ $? -eq 0 ]
listed >/tmp/ran.lines
check "r13 ran exactly the test=True plan" cmp /tmp/plan.lines /tmp/ran.lines
sed -n '/"css_commands"/,/]/p' /srv/css/devs-new-vg.json | grep '^ *"' | sed 's/^ *"//; s/",\{0,1\}$//; s/\\"/"/g' | grep -v css_commands >/tmp/css.lines
check "the run is c-s-s's sequence (fixtures/css/devs-new-vg.json)" cmp /tmp/css.lines /tmp/ran.lines
attr=$(lvfield docker-vg/docker-pool lv_attr)
check "pool is an active thin pool ($attr)" sh -c "echo $attr | grep -q '^twi-a'"
check "dm name is docker--vg-docker--pool" [ -b /dev/mapper/docker--vg-docker--pool ]
major=$(lvfield docker-vg/docker-pool lv_kernel_major); minor=$(lvfield docker-vg/docker-pool lv_kernel_minor)
check "sysfs agrees on the dm name" [ "$(cat /sys/dev/block/$major:$minor/dm/name)" = docker--vg-docker--pool ]
expected='DOCKER_STORAGE_OPTIONS="--storage-driver devicemapper --storage-opt dm.fs=xfs --storage-opt dm.thinpooldev=/dev/mapper/docker--vg-docker--pool "'
check "output file is c-s-s's line" [ "$(cat /etc/sysconfig/docker-storage)" = "$expected" ]
check "autoextend profile attached" [ "$(lvfield docker-vg/docker-pool lv_profile)" = docker-vg--docker-pool-extend ]
check "chunk size 512k" [ "$(lvfield docker-vg/docker-pool chunk_size)" = 512.00k ]
dmsetup table docker--vg-docker--pool
apply r13 --retcode-passthrough; check "r13 second apply succeeds" [ $? -eq 0 ]
check "r13 second apply changes nothing" unchanged
halite call -c /etc/salt-r13 --local docker_storage.usage --out=json >/tmp/usage1; cat /tmp/usage1
size_before=$(lvs --noheadings --units b --nosuffix -o lv_size docker-vg/docker-pool | tr -d ' ')
lvcreate -y -V 3G -T docker-vg/docker-pool -n thin1 >/dev/null
mkfs.xfs -q /dev/docker-vg/thin1 && mkdir -p /mnt && mount /dev/docker-vg/thin1 /mnt
# the pool is 2 GiB (MIN_DATA_SIZE): 1.4 GiB written takes it past 60 %
dd if=/dev/zero of=/mnt/fill bs=1M count=1400 2>/dev/null; sync
halite call -c /etc/salt-r13 --local docker_storage.usage warn_percent=60 --out=json >/tmp/usage2; cat /tmp/usage2
check "usage sees the pool fill up and alerts" grep -q '"alert": true' /tmp/usage2
lvextend --use-policies docker-vg/docker-pool
size_after=$(lvs --noheadings --units b --nosuffix -o lv_size docker-vg/docker-pool | tr -d ' ')
check "autoextend policy grew the pool ($size_before -> $size_after)" [ "$size_after" -gt "$size_before" ]
halite call -c /etc/salt-r13 --local docker_storage.usage --out=json >/tmp/usage3
check "usage reports the grown size" grep -q "\"size_bytes\": $size_after" /tmp/usage3
umount /mnt; lvremove -y docker-vg/thin1 >/dev/null
apply r13 --retcode-passthrough; check "r13 apply after growth succeeds" [ $? -eq 0 ]
check "r13 apply after growth changes nothing (never shrinks)" unchanged

echo "=== r12: overlay2 on an XFS LV ==="
apply r12 --retcode-passthrough; check "r12 apply succeeds" [ $? -eq 0 ]
check "LV mounted on the containers root" grep -qE "^/dev/(mapper/containers--vg-containers--lv|containers-vg/containers-lv) /var/lib/containers/storage xfs " /proc/mounts
check "XFS has ftype=1" sh -c 'xfs_info /var/lib/containers/storage | grep -q ftype=1'
check "fstab entry" grep -qx "/dev/containers-vg/containers-lv /var/lib/containers/storage xfs defaults 0 0" /etc/fstab
check "storage.conf uses overlay" grep -qx 'driver = "overlay"' /etc/containers/storage.conf
check "r12 leaves docker's sysconfig file alone" [ "$(cat /etc/sysconfig/docker-storage)" = "$expected" ]
apply r12 --retcode-passthrough; check "r12 second apply succeeds" [ $? -eq 0 ]
check "r12 second apply changes nothing" unchanged
halite call -c /etc/salt-r12 --local docker_storage.usage path=/var/lib/containers/storage output_file=/dev/null --out=json
umount /var/lib/containers/storage
vgchange -an docker-vg containers-vg >/dev/null
echo "=== VMTEST DONE failed=$failed ==="
poweroff -f
