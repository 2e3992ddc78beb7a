#!/usr/bin/env bash
# The main job, out of the box: apply the repository's example node tree
# (states/ + formulas/, per-rack pillar/) masterless into a sandbox directory and
# print the highstate output, exactly as `salt-call --local state.apply` would.
# usage: tests/demo.sh [--salt-call PATH]   (default: the halite binary, built first)
#   HALITE_DEMO_DIR=DIR   keep the sandbox there instead of a fresh temp dir
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
call=()
if [ "${1:-}" = "--salt-call" ]; then
  call=("$2")
else
  cargo build --quiet --manifest-path "$repo/Cargo.toml" -p halite
  call=("$repo/target/debug/halite" call)
fi
sandbox="${HALITE_DEMO_DIR:-$(mktemp -d /tmp/halite-demo.XXXXXX)}"
mkdir -p "$sandbox/etc" "$sandbox/node"
cat >"$sandbox/etc/minion" <<CONF
id: demo-node-r12
file_client: local
root_dir: $sandbox/root
file_roots:
  base:
    - $repo/states
    - $repo/formulas
pillar_roots:
  base:
    - $repo/pillar
grains:
  rack: r12
  roles: [k8s-node]
CONF
echo "sandbox: $sandbox (node files under $sandbox/node)"
set +e
"${call[@]}" -c "$sandbox/etc" --local state.apply \
  pillar="{\"node\": {\"root\": \"$sandbox/node\"}}" --retcode-passthrough
status=$?
set -e
echo "--- files written:"; (cd "$sandbox/node" && find . -type f | sort)
exit $status
