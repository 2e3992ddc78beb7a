#!/usr/bin/env python3
"""rpm_ostree.deployed, converged: the module's own cost, with a replay fake
of `rpm-ostree status --json` (a shell script printing a real-shaped fixture;
a converged run makes no other call) first on PATH.

Per run, the state's reported `duration` (ms) minus the time of the tool calls
it made (`rpm-ostree status --json`, timed alone the same number of times) is
the module's own cost. Compared, in the same run, with what fleets do today
without a module: salt-call running `cmd.run: rpm-ostree status --json` (the
cheapest possible probe, no decision made) through the same fake.

usage: python3 bench/ostree_bench.py --halite target/release/halite \
          --salt-call .venv/salt-3008.4/bin/salt-call [--runs 20]
"""
import argparse, json, os, shutil, statistics, subprocess, tempfile, time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("HALITE_SHARED", os.path.join(REPO, "..", "shared"))
STATUS = os.path.join(SHARED, "fixtures/rpm-ostree/status-booted-rollback-layered.json")

HALITE_SLS = """os:
  rpm_ostree.deployed:
    - refspec: rhcos:rhcos/9/x86_64/stable
    - version: 414.92.202406040852-0
"""
SALT_SLS = """os:
  cmd.run:
    - name: rpm-ostree status --json
"""

def setup(base, name, sls):
    root = os.path.join(base, name)
    for d in ("etc", "srv", "bin", "fake"):
        os.makedirs(os.path.join(root, d))
    with open(os.path.join(root, "srv/bench.sls"), "w") as f: f.write(sls)
    conf = {"id": "bench", "file_client": "local", "root_dir": os.path.join(root, "root"),
            "file_roots": {"base": [os.path.join(root, "srv")]}, "pillar_roots": {"base": []}}
    with open(os.path.join(root, "etc/minion"), "w") as f: json.dump(conf, f)
    fake = os.path.join(root, "bin/rpm-ostree")
    with open(fake, "w") as f:
        f.write('#!/bin/sh\n[ "$1 $2" = "status --json" ] || exit 1\nexec cat "$FAKE_OSTREE_DIR/status.json"\n')
    os.chmod(fake, 0o755)
    shutil.copy(STATUS, os.path.join(root, "fake/status.json"))
    with open(os.path.join(root, "fake/scenario.json"), "w") as f: f.write("{}")
    env = dict(os.environ, PATH=os.path.join(root, "bin") + ":" + os.environ["PATH"],
               FAKE_OSTREE_DIR=os.path.join(root, "fake"))
    return root, env

def state_ms(cmd, root, env, converged=True):
    out = subprocess.run(cmd + ["-c", os.path.join(root, "etc"), "--local", "--out=json", "state.apply", "bench"],
                         env=env, capture_output=True, text=True, check=True)
    ret = json.loads(out.stdout)["local"]
    (only,) = ret.values()
    assert only["result"] is True and (not converged or not only["changes"]), only
    return float(only["duration"])

def tool_ms(env, times):
    t = time.perf_counter()
    for _ in range(times):
        subprocess.run(["rpm-ostree", "status", "--json"], env=env, capture_output=True, check=True)
    return (time.perf_counter() - t) * 1000 / times

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--halite", required=True)
    ap.add_argument("--salt-call", required=True)
    ap.add_argument("--runs", type=int, default=20)
    a = ap.parse_args()
    base = tempfile.mkdtemp(prefix="halite-ostree-bench-")
    try:
        hroot, henv = setup(base, "halite", HALITE_SLS)
        sroot, senv = setup(base, "salt", SALT_SLS)
        h = [state_ms([a.halite, "call"], hroot, henv) for _ in range(a.runs)]
        s = [state_ms([a.salt_call], sroot, senv, converged=False) for _ in range(a.runs)]
        tool = statistics.median(tool_ms(henv, 1) for _ in range(a.runs))
        hm, sm = statistics.median(h), statistics.median(s)
        print("| measure (median of %d) | value |" % a.runs)
        print("|---|---|")
        print("| Halite rpm_ostree.deployed, converged: state duration | %.2f ms |" % hm)
        print("| one `rpm-ostree status --json` of the fake, timed alone | %.2f ms |" % tool)
        print("| Halite module's own cost (duration - tool) | %.2f ms |" % max(hm - tool, 0.0))
        print("| salt-call cmd.run `rpm-ostree status --json` state duration | %.2f ms |" % sm)
        print("| Halite deployed / salt-call cmd.run probe | %.3f |" % (hm / sm))
    finally:
        shutil.rmtree(base)

if __name__ == "__main__":
    main()
