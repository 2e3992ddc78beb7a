#!/usr/bin/env bash
# The second way to see Halite work: a throw-away salt-master (pinned PyPI Salt) on
# 127.0.0.1 with free ports, one Halite minion, and the example node tree
# (states/, formulas/, per-rack pillar/) applied with `salt '*' state.apply`.
# usage (as root): tests/demo-master.sh     everything is removed on exit
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
venv="$("$repo/tests/salt/ensure-venv.sh" 3008.4)"
cargo build --quiet --manifest-path "$repo/Cargo.toml" -p halite
halite="$repo/target/debug/halite"
work="$(mktemp -d /tmp/halite-master-demo.XXXXXX)"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pub="$(port)"; ret="$(port)"
mkdir -p "$work/master" "$work/minion" "$work/pillar" "$work/node"
cp "$repo/pillar/top.sls" "$work/pillar/top.sls"
printf '  demo-node-r12:\n    - demo-root\n' >>"$work/pillar/top.sls"
printf 'node:\n  root: %s\n' "$work/node" >"$work/pillar/demo-root.sls"
cat >"$work/master/master" <<CONF
interface: 127.0.0.1
publish_port: $pub
ret_port: $ret
root_dir: $work/master-root
pki_dir: $work/master-pki
cachedir: $work/master-cache
sock_dir: $work/master-sock
log_file: $work/master.log
user: root
auto_accept: True
file_roots:
  base: [$repo/states, $repo/formulas]
pillar_roots:
  base: [$work/pillar, $repo/pillar]
CONF
cat >"$work/minion/minion" <<CONF
id: demo-node-r12
master: 127.0.0.1
master_port: $ret
publish_port: $pub
root_dir: $work/minion-root
log_file: $work/minion.log
acceptance_wait_time: 1
grains:
  rack: r12
  roles: [k8s-node]
CONF
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
"$venv/bin/salt-master" -c "$work/master" -l quiet & pids+=($!)
"$halite" minion -c "$work/minion" -l quiet & pids+=($!)
echo "waiting for the Halite minion to authenticate..."
for _ in $(seq 60); do
  "$venv/bin/salt" -c "$work/master" demo-node-r12 test.ping --timeout 3 2>/dev/null | grep -q True && break
  sleep 1
done
set -x
"$venv/bin/salt" -c "$work/master" '*' test.ping
"$venv/bin/salt" -c "$work/master" '*' state.apply
