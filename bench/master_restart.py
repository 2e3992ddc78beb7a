#!/usr/bin/env python3
"""Back after a master restart: a Python salt-minion and a Halite minion on
one real salt-master, the master restarted R times; after each restart both
minions are pinged through the real `salt` CLI (one loop per minion, side by
side) and the time from the moment the restarted master's publish and
request ports listen to each minion's first answered `test.ping` is kept.

Two settings of the minions' reconnect window, each in its own round:
  * Salt's defaults (recon_default 1000, recon_max 10000, recon_randomize);
  * the window `halite-ctl render` wrote into a node's minion.d config
    (`--fleet-conf`; see docs/controller.md, "reconnect window").

A `salt` call published while a minion is not subscribed yet is lost; the
CLI then waits `--timeout` and the master config's `gather_job_timeout`
before the next try (both 1 s here, instead of 5 s and 10 s, so the loop's
step stays small). That wait is the CLI's, not the minion's.

usage (as root):
  .venv/salt-3008.4/bin/python bench/master_restart.py --venv .venv/salt-3008.4 \
      --halite target/release/halite --fleet-conf OUT/minion.d/NODE.conf [--restarts 5]
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from minion_bench import Master, wait_port  # noqa: E402

RECON_KEYS = ("recon_default", "recon_max", "recon_randomize")


def answered(salt, conf, mid):
    r = subprocess.run([salt, "-c", conf, mid, "test.ping", "--timeout", "1", "--out=json", "--static"],
                       capture_output=True, text=True)
    return '"%s": true' % mid in r.stdout


def first_answer(salt, conf, mid, since, limit, out):
    while time.time() - since < limit:
        if answered(salt, conf, mid):
            out[mid] = time.time() - since
            return
    out[mid] = None


def start_minion(kind, args, master, base, mid, recon):
    etc = os.path.join(base, f"{mid}-etc")
    os.makedirs(etc, exist_ok=True)
    conf = {"id": mid, "master": "127.0.0.1", "master_port": master.ret, "publish_port": master.pub,
            "root_dir": os.path.join(base, f"{mid}-root"), "log_file": os.path.join(base, f"{mid}.log"),
            **recon}
    with open(os.path.join(etc, "minion"), "w") as fh:
        json.dump(conf, fh)
    argv = [args.halite, "minion"] if kind == "halite" else [os.path.join(args.venv, "bin/salt-minion")]
    return subprocess.Popen(argv + ["-c", etc, "-l", "quiet"])


def restart(master, down):
    master.stop()
    time.sleep(down)
    master.proc = subprocess.Popen([os.path.join(master.venv, "bin/salt-master"), "-c", master.conf, "-l", "quiet"])
    assert wait_port(master.ret) and wait_port(master.pub), "master did not come back"
    return time.time()


def round_of(label, recon, args):
    base = tempfile.mkdtemp(prefix="master-restart-")
    master = Master(args.venv, base, {"gather_job_timeout": 1})
    master.start()
    salt = os.path.join(args.venv, "bin/salt")
    ids = {kind: f"restart-{kind}" for kind in ("python", "halite")}
    procs = [start_minion(kind, args, master, base, mid, recon) for kind, mid in ids.items()]
    times = {mid: [] for mid in ids.values()}
    try:
        for mid in ids.values():
            first_answer(salt, master.conf, mid, time.time(), 120, {})
        for _ in range(args.restarts):
            time.sleep(args.settle)
            since = restart(master, args.down)
            out = {}
            loops = [threading.Thread(target=first_answer, args=(salt, master.conf, mid, since, 120, out))
                     for mid in ids.values()]
            for t in loops:
                t.start()
            for t in loops:
                t.join()
            for mid, secs in out.items():
                times[mid].append(secs)
            print(label, json.dumps(out), file=sys.stderr)
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
        master.stop()
        shutil.rmtree(base, ignore_errors=True)
    return {kind: times[mid] for kind, mid in ids.items()}


def summary(values):
    got = [v for v in values if v is not None]
    if not got:
        return None, None, 0
    return statistics.median(got), max(got), len(got)


def fleet_recon(path):
    with open(path) as fh:
        conf = yaml.safe_load(fh)
    return {k: conf[k] for k in RECON_KEYS}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--venv", required=True)
    ap.add_argument("--halite", required=True)
    ap.add_argument("--fleet-conf", required=True, help="a minion.d/<node>.conf halite-ctl render wrote")
    ap.add_argument("--restarts", type=int, default=5)
    ap.add_argument("--settle", type=float, default=3.0)
    ap.add_argument("--down", type=float, default=1.0, help="seconds the master stays stopped")
    ap.add_argument("--only-defaults", action="store_true", help="just the round with Salt's defaults")
    args = ap.parse_args()
    rounds = [("Salt's defaults (recon_default 1000, recon_max 10000, randomized)", {}),
              ("halite-ctl's window: " + json.dumps(fleet_recon(args.fleet_conf)), fleet_recon(args.fleet_conf))]
    print(f"| minion reconnect options ({args.restarts} restarts, master down {args.down:g} s) | Python median / max | "
          "Halite median / max | Halite / Python (median) |")
    print("|---|---|---|---|")
    for label, recon in rounds[:1] if args.only_defaults else rounds:
        res = round_of(label, recon, args)
        (pm, px, pn), (hm, hx, hn) = summary(res["python"]), summary(res["halite"])
        ratio = f"{hm / pm:.2f}" if pm and hm else "n/a"

        def cell(m, x, n):
            return "n/a" if m is None else f"{m:.2f} s / {x:.2f} s ({n}/{args.restarts})"
        print(f"| {label} | {cell(pm, px, pn)} | {cell(hm, hx, hn)} | {ratio} |")


if __name__ == "__main__":
    main()
