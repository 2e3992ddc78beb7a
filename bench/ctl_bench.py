#!/usr/bin/env python3
"""halite-ctl: (A) render + check of a 1,000-node / 50-rack inventory over
the repository's states and formulas, beside salt-call rendering the same
nodes' lowstate (`state.show_lowstate`, per node, the check a Salt user
would script); (B) a rollout through a real master + salt-api against
Salt's own batch mode (`salt -L ... --batch-size N`), same minions, same
SLS, same batch size: the controller's overhead per batch.

usage (as root): .venv/salt-3008.4/bin/python bench/ctl_bench.py \
    --venv .venv/salt-3008.4 --ctl target/release/halite-ctl \
    --halite target/release/halite [--salt-nodes 5] [--minions 8]
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from minion_bench import Master, free_port, start_minion, wait_port, wait_ping_cli  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROLES = "[k8s-node, container-host, image-based]"


def big_inventory(racks=50, per_rack=20):
    out = ["fleet:", "  name: bench", "  base_states: [common]",
           "  roles: {k8s-node: [roles.k8s-node, network], container-host: [storage], image-based: [os]}",
           "  os_image: {refspec: 'rhcos:rhcos/9/x86_64/stable', version: 414.92.202407010000-0}",
           "  network: {pod_gateway: 10.200.0.1}",
           "  container_storage: {storage_driver: overlay2, vg: containers-vg}",
           "  grains: {os_family: RedHat}", "racks:"]
    for r in range(racks):
        out += [f"  - name: r{r:02d}", f"    subnet: 10.{r}.0.0/24", f"    tor: 10.{r}.0.1",
                f"    pod_subnet: 10.{100 + r}.0.0/16", "    nodes:"]
        for n in range(per_rack):
            out.append(f"      - {{name: r{r:02d}-n{n:02d}, ip: 10.{r}.0.{10 + n}, "
                       f"pod_range: 10.{100 + r}.{n}.0/24, disks: [/dev/vdb], roles: {ROLES}}}")
    return "\n".join(out) + "\n"


def timed(argv, **kw):
    """(wall s, max RSS MiB, completed process) via /usr/bin/time."""
    start = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M"] + argv, capture_output=True, text=True, **kw)
    wall = time.perf_counter() - start
    rss = int(p.stderr.strip().splitlines()[-1]) / 1024
    return wall, rss, p


def part_a(args, base):
    inv = os.path.join(base, "fleet.yaml")
    with open(inv, "w") as fh:
        fh.write(big_inventory())
    out = os.path.join(base, "tree")
    src = ["--source", os.path.join(REPO, "states"), "--source", os.path.join(REPO, "formulas")]
    runs = []
    for _ in range(args.runs):
        wall, rss, p = timed([args.ctl, "render", "--inventory", inv, "--out", out] + src)
        assert p.returncode == 0, p.stderr
        runs.append((wall, rss))
    ctl_wall = statistics.median(r[0] for r in runs)
    ctl_rss = max(r[1] for r in runs)
    # salt-call: the same nodes' lowstate from the generated tree, one call per node
    salt_times = []
    for n in range(args.salt_nodes):
        mid = f"r00-n{n:02d}"
        etc = os.path.join(base, f"sc-{mid}")
        os.makedirs(etc, exist_ok=True)
        with open(os.path.join(etc, "minion"), "w") as fh:
            json.dump({"id": mid, "file_client": "local", "root_dir": etc,
                       "file_roots": {"base": [os.path.join(out, "salt")]},
                       "pillar_roots": {"base": [os.path.join(out, "pillar")]},
                       "grains": {"rack": "r00", "roles": ["k8s-node", "container-host", "image-based"],
                                  "os_family": "RedHat"}}, fh)
        start = time.perf_counter()
        p = subprocess.run([os.path.join(args.venv, "bin/salt-call"), "-c", etc, "--local",
                            "state.show_lowstate", "--out=json", "--retcode-passthrough"],
                           capture_output=True, text=True)
        salt_times.append(time.perf_counter() - start)
        assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
    per_node_salt = statistics.median(salt_times)
    per_node_ctl = ctl_wall / 1000
    print("## A. render + check, 1,000 nodes / 50 racks (repo states + formulas)\n")
    print("| | wall | per node | max RSS |")
    print("|---|---|---|---|")
    print(f"| halite-ctl render (all 1,000, {os.cpu_count()} workers) | {ctl_wall:.2f} s | {per_node_ctl * 1000:.2f} ms | {ctl_rss:.0f} MiB |")
    print(f"| salt-call --local state.show_lowstate (median of {args.salt_nodes} nodes) | | {per_node_salt * 1000:.0f} ms | |")
    print(f"\nper-node ratio halite-ctl / salt-call: {per_node_ctl / per_node_salt:.4f} "
          f"(salt-call for all 1,000 would take about {per_node_salt * 1000 / 60:.0f} min)\n")


def part_b(args, base):
    m = Master(args.venv, base)
    api_port, secret = free_port(), "bench-secret"
    conf_path = os.path.join(m.conf, "master")
    with open(conf_path) as fh:
        conf = json.load(fh)
    tree = os.path.join(base, "b-tree")
    os.makedirs(tree, exist_ok=True)
    with open(os.path.join(tree, "bench.sls"), "w") as fh:
        fh.write("bench:\n  test.succeed_without_changes: []\n")
    conf.update({"file_roots": {"base": [tree]}, "sharedsecret": secret,
                 "rest_cherrypy": {"port": api_port, "host": "127.0.0.1", "disable_ssl": True},
                 "netapi_enable_clients": ["local_async", "runner"],
                 "external_auth": {"sharedsecret": {"ctl": [".*", "@runner", "@jobs"]}},
                 "worker_threads": 4})
    with open(conf_path, "w") as fh:
        json.dump(conf, fh)
    m.start()
    api = subprocess.Popen([os.path.join(args.venv, "bin/salt-api"), "-c", m.conf, "-l", "quiet"])
    procs = []
    try:
        assert wait_port(api_port), "salt-api did not start"
        ids = [f"b{r}-n{n}" for r in range(2) for n in range(args.minions // 2)]
        for mid in ids:
            procs.append(start_minion("halite", args.halite, args.venv, m, base, mid))
        for mid in ids:
            assert wait_ping_cli(m, mid, 60) is not None, mid
        inv = os.path.join(base, "b-fleet.yaml")
        lines = ["fleet:", "  name: b", "  roles: {w: [bench]}",
                 f"  rollout: {{max_unavailable: {args.batch}, canary: false, node_timeout: 60}}", "racks:"]
        for r in range(2):
            lines += [f"  - name: b{r}", f"    subnet: 10.{r}.0.0/24", f"    tor: 10.{r}.0.1", "    nodes:"]
            lines += [f"      - {{name: b{r}-n{n}, ip: 10.{r}.0.{10 + n}, roles: [w]}}" for n in range(args.minions // 2)]
        with open(inv, "w") as fh:
            fh.write("\n".join(lines) + "\n")
        env = dict(os.environ, HALITE_CTL_API_URL=f"http://127.0.0.1:{api_port}", HALITE_CTL_API_USER="ctl",
                   HALITE_CTL_API_PASSWORD=secret, HALITE_CTL_EAUTH="sharedsecret")
        batches = args.minions // args.batch
        ctl, salt = [], []
        for i in range(args.runs):
            state = os.path.join(base, f"ctl-state-{i}")
            start = time.perf_counter()
            p = subprocess.run([args.ctl, "rollout", "sls", "bench", "--inventory", inv, "--state-dir", state],
                               capture_output=True, text=True, env=env)
            ctl.append(time.perf_counter() - start)
            assert p.returncode == 0, p.stdout + p.stderr
            start = time.perf_counter()
            p = subprocess.run([os.path.join(args.venv, "bin/salt"), "-c", m.conf, "-L", ",".join(ids),
                                "state.sls", "bench", "--batch-size", str(args.batch), "--out=json", "--static"],
                               capture_output=True, text=True)
            salt.append(time.perf_counter() - start)
            assert p.returncode == 0, p.stdout[-1000:] + p.stderr[-1000:]
        c, s = statistics.median(ctl), statistics.median(salt)
        print(f"## B. rollout of one SLS to {args.minions} Halite minions, {batches} batches of {args.batch}\n")
        print("| | wall | per batch |")
        print("|---|---|---|")
        print(f"| halite-ctl rollout sls (salt-api, journal, per-node verdicts) | {c:.2f} s | {c / batches * 1000:.0f} ms |")
        print(f"| salt -L ... state.sls --batch-size {args.batch} | {s:.2f} s | {s / batches * 1000:.0f} ms |")
        print(f"\nratio halite-ctl / salt batch mode: {c / s:.2f} (medians of {args.runs})")
    finally:
        for p in procs:
            p.terminate()
        api.terminate()
        m.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--venv", required=True)
    ap.add_argument("--ctl", required=True)
    ap.add_argument("--halite", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--salt-nodes", type=int, default=5)
    ap.add_argument("--minions", type=int, default=8)
    ap.add_argument("--batch", type=int, default=2)
    args = ap.parse_args()
    args.ctl, args.halite = os.path.abspath(args.ctl), os.path.abspath(args.halite)
    with tempfile.TemporaryDirectory(prefix="ctl-bench-") as base:
        part_a(args, base)
        part_b(args, base)


if __name__ == "__main__":
    main()
