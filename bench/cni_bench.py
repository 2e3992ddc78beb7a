#!/usr/bin/env python3
"""CNI ADD and DEL latency over N pods: halite-cni beside the reference
`ptp` plugin (Debian's containernetworking-plugins, host-local IPAM) in the
same run. Each plugin gets its own "node" namespace and N pod namespaces
(made before timing); every ADD, then every DEL, is one plugin process, as
a runtime calls it. Reported: p50 and p99 in ms, and halite/ptp ratios.

usage: python3 bench/cni_bench.py --halite-cni target/release/halite-cni [--pods 200]
"""
import argparse, json, os, statistics, subprocess, tempfile, time

PTP = "/usr/lib/cni/ptp"


def sh(*argv):
    subprocess.run(argv, check=True, capture_output=True)


def call(node, plugin, cmd, cid, netns, conf):
    env = {"CNI_COMMAND": cmd, "CNI_CONTAINERID": cid, "CNI_IFNAME": "eth0",
           "CNI_NETNS": netns, "CNI_PATH": "/usr/lib/cni", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
    t = time.perf_counter()
    out = subprocess.run(["ip", "netns", "exec", node, plugin], input=json.dumps(conf),
                         env=env, capture_output=True, text=True)
    ms = (time.perf_counter() - t) * 1000
    assert out.returncode == 0, f"{plugin} {cmd} {cid}: {out.stdout} {out.stderr}"
    return ms


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def run(label, plugin, conf, pods):
    node = f"cb-{label}"
    sh("ip", "netns", "add", node)
    names = [f"cb-{label}-{i}" for i in range(pods)]
    for n in names:
        sh("ip", "netns", "add", n)
    try:
        add = [call(node, plugin, "ADD", n, f"/run/netns/{n}", conf) for n in names]
        dele = [call(node, plugin, "DEL", n, f"/run/netns/{n}", conf) for n in names]
        return add, dele
    finally:
        for n in names + [node]:
            subprocess.run(["ip", "netns", "del", n], capture_output=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--halite-cni", required=True)
    ap.add_argument("--pods", type=int, default=200)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as data:
        ours = {"cniVersion": "1.0.0", "name": "halite-pods", "type": "halite-cni",
                "gateway": "10.10.0.1", "prefixLength": 22,
                "ipam": {"range": "10.10.0.0/22", "dataDir": data}}
        theirs = {"cniVersion": "1.0.0", "name": "ptp-pods", "type": "ptp",
                  "ipam": {"type": "host-local", "subnet": "10.10.0.0/22", "gateway": "10.10.0.1",
                           "dataDir": data, "routes": [{"dst": "0.0.0.0/0"}]}}
        h = run("h", os.path.abspath(a.halite_cni), ours, a.pods)
        p = run("p", PTP, theirs, a.pods)
    print(f"CNI latency over {a.pods} pods (ms)")
    print(f"{'':10} {'ptp p50':>9} {'ptp p99':>9} {'halite p50':>11} {'halite p99':>11} {'p50 ratio':>10} {'p99 ratio':>10}")
    for i, name in enumerate(("ADD", "DEL")):
        pp50, pp99, hp50, hp99 = pct(p[i], 50), pct(p[i], 99), pct(h[i], 50), pct(h[i], 99)
        print(f"{name:10} {pp50:9.2f} {pp99:9.2f} {hp50:11.2f} {hp99:11.2f} {hp50 / pp50:10.3f} {hp99 / pp99:10.3f}")


if __name__ == "__main__":
    main()
