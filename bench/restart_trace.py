#!/usr/bin/env python3
"""Where the time goes when the master restarts: one real salt-master, one
minion (halite or python), the master stopped and started again; then
`salt <id> test.ping` through the real CLI until it answers, each attempt
printed with its outcome, and the minion's own log lines from the restart
on, with times relative to the moment the master's ports listened.

usage (as root): bench/restart_trace.py --venv .venv/salt-3008.4 --halite target/release/halite \
                     --kind halite|python [--minion-opts '{"recon_randomize": false}']
"""
import argparse
import datetime
import glob
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from minion_bench import Master, wait_port  # noqa: E402


def ping(salt, conf, mid, timeout):
    r = subprocess.run([salt, "-c", conf, mid, "test.ping", "--timeout", str(timeout), "--out=json", "--static"],
                       capture_output=True, text=True)
    return " ".join((r.stdout + " " + r.stderr).split())[:100]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--venv", required=True)
    ap.add_argument("--halite", required=True)
    ap.add_argument("--kind", choices=["halite", "python"], default="halite")
    ap.add_argument("--minion-opts", default="{}")
    args = ap.parse_args()
    base = tempfile.mkdtemp(prefix="restart-trace-")
    master = Master(args.venv, base, {"gather_job_timeout": 1})
    master.start()
    mid = "trace-" + args.kind
    etc = os.path.join(base, "minion-etc")
    os.makedirs(etc)
    conf = {"id": mid, "master": "127.0.0.1", "master_port": master.ret, "publish_port": master.pub,
            "root_dir": os.path.join(base, "minion-root"), "log_file": "minion.log", "log_level_logfile": "info",
            "acceptance_wait_time": 1, "random_reauth_delay": 0, **json.loads(args.minion_opts)}
    with open(os.path.join(etc, "minion"), "w") as fh:
        json.dump(conf, fh)
    argv = [args.halite, "minion"] if args.kind == "halite" else [os.path.join(args.venv, "bin/salt-minion")]
    proc = subprocess.Popen(argv + ["-c", etc, "-l", "quiet"])
    salt = os.path.join(args.venv, "bin/salt")
    for _ in range(30):
        if '"%s": true' % mid in ping(salt, master.conf, mid, 3):
            break
    master.stop()
    time.sleep(1)
    started = time.time()
    master.proc = subprocess.Popen([os.path.join(args.venv, "bin/salt-master"), "-c", master.conf, "-l", "quiet"])
    wait_port(master.ret)
    wait_port(master.pub)
    listening = time.time()
    print(f"master ports listening {listening - started:.2f} s after its start")
    while time.time() - listening < 120:
        t = time.time()
        out = ping(salt, master.conf, mid, 1)
        print(f"  attempt at {t - listening:6.2f} s took {time.time() - t:5.2f} s: {out}")
        if '"%s": true' % mid in out:
            print(f"answered {time.time() - listening:.2f} s after the ports listened")
            break
    for path in glob.glob(os.path.join(base, "minion-root", "**", "minion.log"), recursive=True):
        for line in open(path):
            try:
                ts = datetime.datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()
            except ValueError:
                continue
            if ts >= started - 2:
                print(f"  minion log {ts - listening:+6.2f} s: {line[24:].strip()[:140]}")
    proc.terminate()
    master.stop()


if __name__ == "__main__":
    main()
