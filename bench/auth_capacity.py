#!/usr/bin/env python3
"""How many minion authentications a real salt-master answers per second.

A restarted master has a new AES key, so every minion that comes back
authenticates again: this rate bounds how fast a fleet can return, and
halite-ctl sizes the nodes' reconnect window from it (docs/controller.md).
One master (auto_accept, the given worker_threads), then
`auth_load` (minion/transport/examples/auth_load.rs) with M minion ids
authenticating in a loop, one thread each, for S seconds.

usage (as root):
  cargo build --release -p halite-transport --example auth_load
  .venv/salt-3008.4/bin/python bench/auth_capacity.py --venv .venv/salt-3008.4 \
      --auth-load target/release/examples/auth_load [--minions 8] [--seconds 10] [--workers 5]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from minion_bench import Master  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--venv", required=True)
    ap.add_argument("--auth-load", required=True)
    ap.add_argument("--minions", type=int, default=8)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--workers", type=int, default=5, help="the master's worker_threads (Salt's default: 5)")
    args = ap.parse_args()
    base = tempfile.mkdtemp(prefix="auth-capacity-")
    master = Master(args.venv, base, {"worker_threads": args.workers})
    master.start()
    try:
        out = subprocess.run([args.auth_load, "--master", "127.0.0.1", "--port", str(master.ret),
                              "--publish-port", str(master.pub), "--dir", os.path.join(base, "minions"),
                              "--minions", str(args.minions), "--seconds", str(args.seconds)],
                             capture_output=True, text=True, check=True).stdout
    finally:
        master.stop()
    result = json.loads(out)
    print(f"master worker_threads {args.workers}, {args.minions} minions authenticating at once for "
          f"{result['seconds']} s: {result['auths']} authentications, {result['per_second']} per second, "
          f"{result['errors']} errors")


if __name__ == "__main__":
    main()
