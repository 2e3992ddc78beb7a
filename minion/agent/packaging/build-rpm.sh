#!/usr/bin/env bash
# Build the halite RPM from already built (static) binaries.
# usage: minion/agent/packaging/build-rpm.sh HALITE HALITE_CNI OUTDIR   -> prints the .rpm path
set -euo pipefail
binary="$(realpath "$1")"; cni="$(realpath "$2")"; out="$(mkdir -p "$3" && realpath "$3")"
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$repo/Cargo.toml" | head -1)"
top="$(mktemp -d)"; trap 'rm -rf "$top"' EXIT
rpmbuild -bb --quiet \
  --define "_topdir $top" \
  --define "_rpmdir $out" \
  --define "_build_id_links none" \
  --define "halite_version $version" \
  --define "halite_binary $binary" \
  --define "halite_cni $cni" \
  --define "halite_unit $here/halite-minion.service" \
  --define "halite_readme $repo/README.md" \
  "$here/halite.spec" >&2
ls "$out"/x86_64/halite-"$version"-1.x86_64.rpm
