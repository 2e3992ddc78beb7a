#!/usr/bin/env python3
"""State-engine benchmarks: `halite call --local` against `salt-call --local`, same run.

Workloads (generated into a temp tree):
  files1000  1,000 file.managed states (first run, then converged run)
  tree200    200 states: Jinja loops, file.managed/file.directory/cmd.run with
             require/watch/onchanges requisites (first run, then converged)
Each run is a fresh process; wall time and peak RSS (wait4 rusage) per run,
median of --repeat runs, and Halite/Salt ratios.

usage (as root): python3 bench/state_bench.py --salt-call .venv/salt-3008.4/bin/salt-call \
                    --halite target/release/halite [--repeat 3]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

FILES1000 = """{% for i in range(1000) %}
f{{ i }}:
  file.managed:
    - name: {{ scratch }}/files/f{{ i }}.conf
    - contents: "value {{ i }}"
    - makedirs: True
{% endfor %}
"""

TREE200 = """{% set n = 40 %}
{% for i in range(n) %}
dir{{ i }}:
  file.directory:
    - name: {{ scratch }}/tree/d{{ i }}
    - makedirs: True
conf{{ i }}:
  file.managed:
    - name: {{ scratch }}/tree/d{{ i }}/app.conf
    - contents: |
{%- for k in range(5) %}
        key{{ k }} = {{ i * k }}
{%- endfor %}
    - require:
      - file: dir{{ i }}
marker{{ i }}:
  file.managed:
    - name: {{ scratch }}/tree/d{{ i }}/marker
    - contents: "{{ i }}"
    - require:
      - file: conf{{ i }}
reload{{ i }}:
  cmd.run:
    - name: "true"
    - onchanges:
      - file: conf{{ i }}
check{{ i }}:
  cmd.run:
    - name: "true"
    - unless: "test -e {{ scratch }}/tree/d{{ i }}/marker"
    - require:
      - file: marker{{ i }}
{% endfor %}
"""


def setup(base, name, body):
    root = os.path.join(base, name)
    for d in ("etc", "srv", "scratch", "root"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    with open(os.path.join(root, "srv", "bench.sls"), "w") as fh:
        fh.write("{% set scratch = '" + os.path.join(root, "scratch") + "' %}\n" + body)
    conf = {"id": "bench", "file_client": "local", "root_dir": os.path.join(root, "root"),
            "file_roots": {"base": [os.path.join(root, "srv")]}, "pillar_roots": {"base": []}}
    with open(os.path.join(root, "etc", "minion"), "w") as fh:
        json.dump(conf, fh)
    return root


def run(cmd, root):
    argv = cmd + ["-c", os.path.join(root, "etc"), "--local", "--out=quiet", "state.apply", "bench"]
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_maxrss / 1024.0, os.waitstatus_to_exitcode(status)


def bench(cmd, base, name, body, repeat):
    first, conv = [], []
    for r in range(repeat):
        root = setup(base, f"{name}-{r}-{abs(hash(tuple(cmd)))}", body)
        first.append(run(cmd, root))
        conv.append(run(cmd, root))
    med = lambda xs, i: statistics.median(x[i] for x in xs)
    return {"first_s": med(first, 0), "first_rss": med(first, 1), "conv_s": med(conv, 0), "conv_rss": med(conv, 1),
            "exit": sorted({x[2] for x in first + conv})}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--salt-call", required=True)
    ap.add_argument("--halite", required=True)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    base = tempfile.mkdtemp(prefix="halite-state-bench-")
    impls = {"salt-call": [args.salt_call], "halite": [args.halite, "call"]}
    res = {}
    try:
        for wl, body in (("files1000", FILES1000), ("tree200", TREE200)):
            for impl, cmd in impls.items():
                res[(wl, impl)] = bench(cmd, base, wl, body, args.repeat)
                print(wl, impl, res[(wl, impl)], file=sys.stderr)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print("| workload | run | salt-call wall | halite wall | speed-up | salt-call peak RSS | halite peak RSS | RSS ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for wl in ("files1000", "tree200"):
        s, h = res[(wl, "salt-call")], res[(wl, "halite")]
        for run_kind, wk, rk in (("first", "first_s", "first_rss"), ("converged", "conv_s", "conv_rss")):
            print(f"| {wl} | {run_kind} | {s[wk]:.3f} s | {h[wk]:.3f} s | {s[wk] / h[wk]:.1f}x | "
                  f"{s[rk]:.1f} MiB | {h[rk]:.1f} MiB | {h[rk] / s[rk]:.3f} |")
    print("\nexit codes: " + ", ".join(f"{wl}/{impl} {v['exit']}" for (wl, impl), v in res.items()))


if __name__ == "__main__":
    main()
