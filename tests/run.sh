#!/usr/bin/env bash
# Runs every Halite test on a fresh machine, installing what the tests need:
#   Debian packages (tests/scripts/install-deps.sh), the pinned Salt venv
#   (tests/salt/ensure-venv.sh), then fmt, clippy, unit + end-to-end tests
#   (real salt-master on 127.0.0.1, real LVM on loop devices, halite-ctl
#   through a real master + salt-api with 12 Halite minions), the static
#   node build booted in a qemu VM for the storage test, and the
#   state-engine conformance corpus, the compatibility tables' freshness
#   (tests/scripts/compat-table.py --check) and the hostile-input properties.
# usage: tests/run.sh            (as root: some tests chown, use netns)
# env:   HALITE_SALT_MATRIX  the older masters the e2e suite also runs against
#        (default "3007.13 3006.26"; set it empty to run against 3008.4 only)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
shared="${HALITE_SHARED:-$repo/../shared}"

step() { printf '\n== %s\n' "$*"; }

step "dependencies"
tests/scripts/install-deps.sh
HALITE_SALT_VENV="$(tests/salt/ensure-venv.sh 3008.4)"
export HALITE_SALT_VENV HALITE_REQUIRE_SALT=1

step "format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings

step "unit and end-to-end tests (Salt 3008.4 master)"
cargo build --workspace --locked
cargo test --workspace --locked

for version in ${HALITE_SALT_MATRIX-3007.13 3006.26}; do
  step "end-to-end tests against Salt $version"
  venv="$(tests/salt/ensure-venv.sh "$version")"
  HALITE_SALT_VENV="$venv" cargo test -p halite-tests --locked --test e2e
done

step "static node build and the storage VM (real dm thin pool, overlay2 on XFS)"
CARGO_TARGET_DIR=target/static RUSTFLAGS="-C target-feature=+crt-static" \
  cargo build --locked --profile node -p halite --features static --target x86_64-unknown-linux-gnu
# the CNI plugin, built alone so that halite-net's Salt side stays out of it
CARGO_TARGET_DIR=target/static RUSTFLAGS="-C target-feature=+crt-static" \
  cargo build --locked --profile node -p halite-cni --target x86_64-unknown-linux-gnu
echo '{"cniVersion":"1.0.0"}' | CNI_COMMAND=VERSION target/static/x86_64-unknown-linux-gnu/node/halite-cni
minion/storage/tests/vm/run.sh target/static/x86_64-unknown-linux-gnu/node/halite

step "the node package: RPM, scratch-root install, unit verify, bootc layer tree"
tests/scripts/package.sh target/static/x86_64-unknown-linux-gnu/node/halite \
  target/static/x86_64-unknown-linux-gnu/node/halite-cni

step "state-engine conformance corpus"
tests/scripts/conformance.sh "$shared/conformance"

step "formula corpus (tests/formula-corpus, recorded from salt-call 3008.4)"
tests/scripts/http-test-server.sh \
  "$shared/conformance/run_case" --compare --all --cases-dir tests/formula-corpus/cases \
  --expected-dir tests/formula-corpus/expected --salt-call "$repo/target/debug/halite call"

step "compatibility tables (docs/compat-functions.md, docs/compat-jinja.md) up to date"
if [ -x "$HALITE_SALT_VENV/bin/python" ]; then
  python3 tests/scripts/compat-table.py --venv "$HALITE_SALT_VENV" --halite target/debug/halite --check
else
  echo "skipped: no Salt venv at $HALITE_SALT_VENV"
fi

step "hostile input: the decoders, YAML dialect and SLS compiler properties, 4,096 cases each"
PROPTEST_CASES=4096 cargo test --locked -p halite-proto --test fuzz_decoders
PROPTEST_CASES=4096 cargo test --locked -p halite-render --test fuzz_yaml
PROPTEST_CASES=4096 cargo test --locked -p halite-state --test fuzz_compiler
