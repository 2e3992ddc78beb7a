#!/usr/bin/env python3
"""Minion benchmarks: Halite against the Python salt-minion, same master, same run.

Measures, per minion flavour:
  * start -> first answered test.ping (s)
  * idle RSS after settling (MiB, summed over the minion's process tree)
  * test.ping publication-to-return latency over N jobs (p50 / p99 ms)
and prints a Markdown table with Halite/Python ratios.

usage (as root): bench/minion_bench.py --venv .venv/salt-3008.4 --halite target/release/halite [--jobs 1000]
Requires the Salt venv's python (it imports salt.client): run it with that python,
e.g. `.venv/salt-3008.4/bin/python bench/minion_bench.py ...`.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, limit=60):
    end = time.time() + limit
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


class Master:
    def __init__(self, venv, base, extra=None):
        self.venv, self.base = venv, base
        self.conf = os.path.join(base, "master-etc")
        os.makedirs(self.conf, exist_ok=True)
        self.pub, self.ret = free_port(), free_port()
        conf = {
            "interface": "127.0.0.1", "publish_port": self.pub, "ret_port": self.ret,
            "root_dir": os.path.join(base, "master-root"), "pki_dir": os.path.join(base, "master-pki"),
            "cachedir": os.path.join(base, "master-cache"), "sock_dir": os.path.join(base, "master-sock"),
            "log_file": os.path.join(base, "master.log"), "user": "root", "auto_accept": True,
            "worker_threads": 2, **(extra or {}),
        }
        with open(os.path.join(self.conf, "master"), "w") as fh:
            json.dump(conf, fh)
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen([os.path.join(self.venv, "bin/salt-master"), "-c", self.conf, "-l", "quiet"])
        assert wait_port(self.ret) and wait_port(self.pub), "master did not start"

    def stop(self):
        if self.proc:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(30)
            self.proc = None

    def client(self):
        import salt.client
        import salt.config
        opts = salt.config.client_config(os.path.join(self.conf, "master"))
        return salt.client.LocalClient(mopts=opts)


def start_minion(kind, binary, venv, master, base, mid):
    etc = os.path.join(base, f"{mid}-etc")
    os.makedirs(etc, exist_ok=True)
    conf = {"id": mid, "master": "127.0.0.1", "master_port": master.ret, "publish_port": master.pub,
            "root_dir": os.path.join(base, f"{mid}-root"), "log_file": os.path.join(base, f"{mid}.log"),
            "acceptance_wait_time": 1, "random_reauth_delay": 0}
    with open(os.path.join(etc, "minion"), "w") as fh:
        json.dump(conf, fh)
    argv = [binary, "minion"] if kind == "halite" else [os.path.join(venv, "bin/salt-minion")]
    return subprocess.Popen(argv + ["-c", etc, "-l", "quiet"])


def tree_rss_kib(pid):
    pids, total = [pid], 0
    while pids:
        p = pids.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            with open(f"/proc/{p}/task/{p}/children") as fh:
                pids += [int(c) for c in fh.read().split()]
        except OSError:
            pass
    return total


def ping_ok(client, mid, timeout=5):
    return client.cmd(mid, "test.ping", timeout=timeout).get(mid) is True


def measure(kind, args, master, base):
    mid = f"bench-{kind}"
    t0 = time.time()
    proc = start_minion(kind, args.halite, args.venv, master, base, mid)
    client = master.client()
    first = None
    while time.time() - t0 < 120:
        if ping_ok(client, mid, timeout=2):
            first = time.time() - t0
            break
    time.sleep(args.settle)
    rss = tree_rss_kib(proc.pid) / 1024.0
    lat = []
    for _ in range(args.jobs):
        s = time.perf_counter()
        ok = client.cmd(mid, "test.ping", timeout=10).get(mid) is True
        if ok:
            lat.append((time.perf_counter() - s) * 1000)
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
    q = statistics.quantiles(lat, n=100) if len(lat) >= 2 else [float("nan")] * 99
    return {"first_ping_s": first, "idle_rss_mib": rss, "p50_ms": q[49], "p99_ms": q[98],
            "answered": len(lat)}


def fmt(v, unit=""):
    return "n/a" if v is None else f"{v:.2f}{unit}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--venv", required=True)
    ap.add_argument("--halite", required=True)
    ap.add_argument("--jobs", type=int, default=1000)
    ap.add_argument("--settle", type=float, default=10.0)
    ap.add_argument("--only", choices=["halite", "python"])
    args = ap.parse_args()
    base = tempfile.mkdtemp(prefix="hb-")
    master = Master(args.venv, base)
    master.start()
    results = {}
    try:
        for kind in ["python", "halite"]:
            if args.only and kind != args.only:
                continue
            results[kind] = measure(kind, args, master, base)
            print(kind, json.dumps(results[kind]), file=sys.stderr)
    finally:
        master.stop()
        shutil.rmtree(base, ignore_errors=True)
    rows = [("start to first answered test.ping", "first_ping_s", " s"), ("idle RSS (process tree)", "idle_rss_mib", " MiB"),
            (f"test.ping latency p50 ({args.jobs} jobs)", "p50_ms", " ms"), (f"test.ping latency p99 ({args.jobs} jobs)", "p99_ms", " ms")]
    print("| measure | Python salt-minion | Halite | Halite / Python |")
    print("|---|---|---|---|")
    for label, key, unit in rows:
        py, ha = results.get("python", {}).get(key), results.get("halite", {}).get(key)
        ratio = f"{ha / py:.3f}" if py and ha else "n/a"
        print(f"| {label} | {fmt(py, unit)} | {fmt(ha, unit)} | {ratio} |")
    print(f"\njobs answered: " + ", ".join(f"{k} {v['answered']}/{args.jobs}" for k, v in results.items()))


if __name__ == "__main__":
    main()
