#!/usr/bin/env bash
# Install the Debian packages the tests need (no-op when present).
set -euo pipefail
# lvm2 ... xfsprogs: the storage tests on loop devices; qemu ... cpio, kmod:
# the storage VM (Debian kernel + busybox initramfs under TCG); iputils-ping ...
# openvswitch-switch: the network tests in namespaces (userspace OVS datapath);
# rpm, systemd: the node package (rpmbuild, rpm --root, systemd-analyze verify);
# cron: crontab for the cron.* corpus cases.
pkgs=(python3-venv iproute2 ostree e2fsprogs lvm2 thin-provisioning-tools parted xfsprogs
      util-linux qemu-system-x86 linux-image-amd64 busybox-static cpio kmod
      iputils-ping iputils-arping ethtool openvswitch-switch containernetworking-plugins
      rpm systemd cron)
missing=()
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${missing[*]} (run as root to install)" >&2; exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
