#!/usr/bin/env bash
# Run the shared state-engine conformance corpus against `halite call`.
# Every case listed in tests/conformance-passing.txt must pass (a ratchet: the
# list only grows as cases start passing); run_case's own summary is printed.
set -uo pipefail
corpus="${1:?usage: conformance.sh CORPUS_DIR}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${HALITE_BIN:-$repo/target/debug/halite}"
baseline="$repo/tests/conformance-passing.txt"
log="${CONFORMANCE_LOG:-$repo/target/conformance.log}"
mkdir -p "$(dirname "$log")"
"$corpus/run_case" --compare --all --salt-call "$bin call" >"$log" 2>&1
grep -E '^(ok |FAIL )' "$log"
regressions=()
if [ -f "$baseline" ]; then
  while read -r case; do
    case "$case" in ""|\#*) continue ;; esac
    grep -qx "ok   $case" "$log" || regressions+=("$case")
  done <"$baseline"
fi
summary="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n1)"
if [ ${#regressions[@]} -gt 0 ]; then
  echo "conformance regressions against tests/conformance-passing.txt: ${regressions[*]} (diffs in $log)" >&2
  echo "$summary"
  exit 1
fi
echo "$summary"
