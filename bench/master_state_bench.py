#!/usr/bin/env python3
"""`salt '*' state.apply` of the repository's example node tree through a real master:
Halite minion against the Python salt-minion, same master, same run.

Per minion: wall time of the `salt` CLI call (first run, then converged runs),
bytes the minion fetched from the fileserver (size of its file cache), and the
minion's CPU time (utime+stime of the process tree including reaped children,
from /proc) spent over the runs. Prints a Markdown table with Halite/Python ratios.

usage (as root): .venv/salt-3008.4/bin/python bench/master_state_bench.py \
    --venv .venv/salt-3008.4 --halite target/release/halite [--runs 5]
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
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from minion_bench import Master, free_port, wait_port  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """utime+stime+cutime+cstime of pid and its live descendants."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            total += sum(int(x) for x in fields[11:15])
            with open(f"/proc/{p}/task/{p}/children") as fh:
                todo += [int(c) for c in fh.read().split()]
        except OSError:
            pass
    return total / TICK


def cache_bytes(root):
    total = 0
    for d, _, files in os.walk(os.path.join(root, "var/cache/salt/minion/files")):
        total += sum(os.path.getsize(os.path.join(d, f)) for f in files)
    return total


def write_master(base, venv):
    m = Master(venv, base)
    pillar = os.path.join(base, "pillar")
    os.makedirs(pillar, exist_ok=True)
    with open(os.path.join(REPO, "pillar/top.sls")) as fh:
        top = fh.read()
    top += "".join(f"  '{mid}':\n    - node-{mid}\n" for mid in ("bench-py", "bench-halite"))
    with open(os.path.join(pillar, "top.sls"), "w") as fh:
        fh.write(top)
    for mid in ("bench-py", "bench-halite"):
        with open(os.path.join(pillar, f"node-{mid}.sls"), "w") as fh:
            fh.write(f"node:\n  root: {os.path.join(base, 'node-' + mid)}\n")
    conf_path = os.path.join(m.conf, "master")
    with open(conf_path) as fh:
        conf = json.load(fh)
    conf["file_roots"] = {"base": [os.path.join(REPO, "states"), os.path.join(REPO, "formulas")]}
    conf["pillar_roots"] = {"base": [pillar, os.path.join(REPO, "pillar")]}
    with open(conf_path, "w") as fh:
        json.dump(conf, fh)
    return m


def start(kind, args, master, base):
    mid = f"bench-{kind}"
    etc = os.path.join(base, f"{mid}-etc")
    os.makedirs(etc, exist_ok=True)
    root = os.path.join(base, f"{mid}-root")
    conf = {"id": mid, "master": "127.0.0.1", "master_port": master.ret, "publish_port": master.pub,
            "root_dir": root, "log_file": os.path.join(base, f"{mid}.log"), "acceptance_wait_time": 1,
            "grains": {"rack": "r12", "roles": ["k8s-node"]}}
    with open(os.path.join(etc, "minion"), "w") as fh:
        json.dump(conf, fh)
    argv = [args.halite, "minion"] if kind == "halite" else [os.path.join(args.venv, "bin/salt-minion")]
    return mid, root, subprocess.Popen(argv + ["-c", etc, "-l", "quiet"])


def salt_cli(args, master, mid, *fun):
    start = time.perf_counter()
    out = subprocess.run([os.path.join(args.venv, "bin/salt"), "-c", master.conf, mid, *fun,
                          "--out=json", "--static", "--timeout", "120"], capture_output=True, text=True)
    return time.perf_counter() - start, out.stdout


def measure(kind, args, master, base):
    mid, root, proc = start(kind, args, master, base)
    for _ in range(120):
        _, out = salt_cli(args, master, mid, "test.ping")
        if '"%s": true' % mid in out:
            break
        time.sleep(1)
    time.sleep(2)
    cpu0 = cpu_seconds(proc.pid)
    first, out = salt_cli(args, master, mid, "state.apply")
    ok = json.loads(out[out.find("{"):]).get(mid) if "{" in out else None
    states = len(ok) if isinstance(ok, dict) else 0
    conv = [salt_cli(args, master, mid, "state.apply")[0] for _ in range(args.runs)]
    cpu = cpu_seconds(proc.pid) - cpu0
    fetched = cache_bytes(root)
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
    return {"first_s": first, "conv_s": statistics.median(conv), "cpu_s": cpu, "bytes": fetched, "states": states}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--venv", required=True)
    ap.add_argument("--halite", required=True)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    base = tempfile.mkdtemp(prefix="hmb-")
    master = write_master(base, args.venv)
    master.start()
    res = {}
    try:
        for kind in ("python", "halite"):
            res[kind] = measure(kind, args, master, base)
            print(kind, res[kind], file=sys.stderr)
    finally:
        master.stop()
        shutil.rmtree(base, ignore_errors=True)
    py, ha = res["python"], res["halite"]
    print("| measure | Python salt-minion | Halite | Halite / Python |")
    print("|---|---|---|---|")
    rows = [("`salt` CLI wall time, first state.apply", "first_s", "{:.2f} s"),
            (f"`salt` CLI wall time, converged (median of {args.runs})", "conv_s", "{:.2f} s"),
            (f"minion CPU time over {args.runs + 1} runs", "cpu_s", "{:.2f} s"),
            ("bytes fetched from the fileserver (file cache size)", "bytes", "{:,} B")]
    for label, key, f in rows:
        ratio = f"{ha[key] / py[key]:.3f}" if py[key] else "n/a"
        print(f"| {label} | {f.format(py[key])} | {f.format(ha[key])} | {ratio} |")
    print(f"\nstates per run: python {py['states']}, halite {ha['states']}")


if __name__ == "__main__":
    main()
