#!/usr/bin/env bash
# Create (or reuse) a Python venv holding a pinned Salt, for the tests and benchmarks.
# usage: tests/salt/ensure-venv.sh [VERSION]   -> prints the venv path
# VERSION defaults to 3008.4; its dependencies are pinned by requirements-VERSION.lock
# when that file exists. Venvs live in $HALITE_VENV_DIR (default: <repo>/.venv, git-ignored).
set -euo pipefail
version="${1:-3008.4}"
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
base="${HALITE_VENV_DIR:-$repo/.venv}"
venv="$base/salt-$version"
lock="$here/requirements-$version.lock"
if [ -x "$venv/bin/salt-master" ] && "$venv/bin/salt-call" --version 2>/dev/null | grep -q "$version"; then
  echo "$venv"; exit 0
fi
mkdir -p "$base"
py="${PYTHON:-python3}"
"$py" -m venv "$venv" >&2
"$venv/bin/pip" install -q --upgrade pip >&2 || true
if [ -f "$lock" ]; then
  "$venv/bin/pip" install -q -r "$lock" >&2
else
  "$venv/bin/pip" install -q "salt==$version" >&2
fi
"$venv/bin/salt-call" --version >&2
echo "$venv"
