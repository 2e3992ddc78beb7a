#!/usr/bin/env bash
# Runs a command with tests/formula-corpus/http-server.py answering on
# 127.0.0.1:18471 (the http_query / http.query corpus cases query it), and
# stops the server afterwards. usage: tests/scripts/http-test-server.sh CMD...
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
python3 "$repo/tests/formula-corpus/http-server.py" 18471 >/dev/null &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  if (echo >/dev/tcp/127.0.0.1/18471) 2>/dev/null; then break; fi
  sleep 0.1
done
"$@"
