#!/usr/bin/env bash
# One command for the node package: the static halite and halite-cni
# (docs/building.md), then the RPM.
# usage: minion/agent/packaging/build-node.sh [OUTDIR]   (default target/static/rpm)
#   -> prints the .rpm path; the binaries are in target/static/x86_64-unknown-linux-gnu/node/
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
cd "$repo"
out="${1:-target/static/rpm}"
export CARGO_TARGET_DIR=target/static RUSTFLAGS="-C target-feature=+crt-static"
cargo build --locked --profile node -p halite --features static --target x86_64-unknown-linux-gnu >&2
# halite-cni alone, so that halite-net's Salt side stays out of it
cargo build --locked --profile node -p halite-cni --target x86_64-unknown-linux-gnu >&2
bin=target/static/x86_64-unknown-linux-gnu/node
"$here/build-rpm.sh" "$bin/halite" "$bin/halite-cni" "$out"
