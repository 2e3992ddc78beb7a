#!/usr/bin/env bash
# The node package, checked: the RPM of the static binary builds, installs
# into a scratch root (rpm --root), runs from there under its link names,
# its unit passes systemd-analyze verify, and the bootc image layer's file
# tree (the RPM installed, the unit enabled, as the Containerfile does) is
# what a node boots.
# usage: tests/scripts/package.sh STATIC_HALITE STATIC_HALITE_CNI
set -euo pipefail
bin="$1"; cni="$2"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
fail() { echo "package: $*" >&2; exit 1; }

rpmfile="$("$repo/minion/agent/packaging/build-rpm.sh" "$bin" "$cni" "$work/rpms")"
echo "built $(basename "$rpmfile") ($(du -h "$rpmfile" | cut -f1))"

root="$work/root"
mkdir -p "$root"
rpm --root "$root" --initdb
# --noscripts: the scriptlets only reload a running systemd, which a scratch
# root has not; --nodeps: the scratch root has no package database of its own
rpm --root "$root" -i --nodeps --noscripts "$rpmfile" 2>/dev/null
rpm --root "$root" -q halite >/dev/null || fail "not installed"
for f in usr/bin/halite usr/bin/halite-cni usr/lib/systemd/system/halite-minion.service; do
  [ -f "$root/$f" ] || fail "missing /$f"
done
for l in salt-minion salt-call; do
  [ "$(readlink "$root/usr/bin/$l")" = halite ] || fail "/usr/bin/$l is not a link to halite"
done
[ -d "$root/etc/salt/pki/minion" ] && [ "$(stat -c %a "$root/etc/salt/pki/minion")" = 700 ] \
  || fail "/etc/salt/pki/minion missing or not 0700"
ldd "$root/usr/bin/halite" 2>&1 | grep -Eq "statically linked|not a dynamic executable" \
  || fail "the packaged binary is dynamically linked"
"$root/usr/bin/salt-call" --version | grep -q "^salt-call 3008.4 (halite" || fail "salt-call link"
"$root/usr/bin/halite" --version | grep -q "^halite " || fail "halite --version"
echo '{"cniVersion":"1.0.0"}' | CNI_COMMAND=VERSION "$root/usr/bin/halite-cni" | grep -q supportedVersions \
  || fail "halite-cni VERSION"

# systemd-analyze verify resolves ExecStart on this host: point it at the
# installed binary; any message (it warns on stderr, exit 0) is a failure
mkdir -p "$work/unit"
sed "s#/usr/bin/halite#$root/usr/bin/halite#" "$root/usr/lib/systemd/system/halite-minion.service" \
  > "$work/unit/halite-minion.service"
said="$(systemd-analyze verify --man=no "$work/unit/halite-minion.service" 2>&1)" || fail "verify: $said"
[ -z "$said" ] || fail "systemd-analyze verify: $said"
echo "unit verified"

# the bootc layer (Containerfile): the unit enabled, also as salt-minion.service
systemctl --root="$root" enable halite-minion.service >/dev/null 2>&1
[ -L "$root/etc/systemd/system/multi-user.target.wants/halite-minion.service" ] || fail "not enabled"
[ "$(readlink "$root/etc/systemd/system/salt-minion.service")" = /usr/lib/systemd/system/halite-minion.service ] \
  || fail "salt-minion.service alias missing"
echo "image layer file tree:"
(cd "$root" && find etc usr var -path var/lib/rpm -prune -o \( -type f -o -type l \) -print | grep -v '^usr/lib/sysimage' | sort | sed 's/^/  \//')
