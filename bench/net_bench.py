#!/usr/bin/env python3
"""Node networking, converged: `state.apply network` (formulas/node-network,
rack r12's pillar: orb0 bridge, the node IP moved onto it, two routed pod
veths) run inside a node namespace of the seed topology, after a first
apply built everything.

Salt has no states for these objects; what a Salt formula does today to
hold them is `cmd.run` with an `unless` check per object (link, address,
port, route, sysctl). That SLS, holding the same 25 facts, runs with
`salt-call --local` in the same namespace in the same run, for the ratio.
Reported: wall time of the whole call and the sum of the states'
`duration` (the modules' own time), medians.

usage: python3 bench/net_bench.py --halite target/release/halite \
          --salt-call .venv/salt-3008.4/bin/salt-call [--runs 10]
"""
import argparse, json, os, statistics, subprocess, tempfile, time

P = "hb"
PODS = {"veth1a": ("p1a", "10.10.2.2"), "veth1b": ("p1b", "10.10.3.2")}


def sh(*argv):
    return subprocess.run(argv, capture_output=True, text=True, check=True).stdout.strip()


def nsx(ns, *argv):
    return sh("ip", "netns", "exec", ns, *argv)


def down():
    for line in sh("ip", "netns", "list").splitlines():
        name = line.split()[0]
        if name.startswith(P + "-") or name in ("p1a", "p1b", "p2a"):
            sh("ip", "netns", "del", name)


def up():
    tor, node = P + "-tor", P + "-node1"
    for n in (tor, node, "p1a", "p1b"):
        sh("ip", "netns", "add", n)
    nsx(tor, "ip", "link", "add", "sw0", "type", "bridge")
    nsx(tor, "ip", "addr", "add", "10.9.4.1/22", "dev", "sw0")
    nsx(tor, "ip", "addr", "add", "10.10.0.1/22", "dev", "sw0")
    nsx(tor, "ip", "link", "set", "sw0", "up")
    # as the seed's ToR: it routes (a query for an unknown address gets an
    # ICMP error at once instead of timing out)
    nsx(tor, "sysctl", "-qw", "net.ipv4.ip_forward=1")
    sh("ip", "link", "add", "sw0-n1", "netns", tor, "type", "veth", "peer", "name", "eth0", "netns", node)
    nsx(tor, "ip", "link", "set", "sw0-n1", "master", "sw0")
    nsx(tor, "ip", "link", "set", "sw0-n1", "up")
    nsx(node, "ip", "link", "set", "lo", "up")
    nsx(node, "ip", "addr", "add", "10.9.4.11/22", "dev", "eth0")
    nsx(node, "ip", "link", "set", "eth0", "up")
    nsx(node, "ip", "route", "add", "default", "via", "10.9.4.1")
    return node


def salt_sls():
    """The same facts as Salt formulas hold them today: cmd.run + unless."""
    facts = [
        ("orb0-bridge", "test -d /sys/class/net/orb0/bridge"),
        ("orb0-up", "ip -o link show orb0 | grep -q ',UP'"),
        ("orb0-mac", "test $(cat /sys/class/net/orb0/address) = $(cat /sys/class/net/eth0/address)"),
        ("orb0-ip", "ip -4 -o addr show dev orb0 | grep -q 10.9.4.11/22"),
        ("eth0-port", "test $(basename $(readlink /sys/class/net/eth0/master)) = orb0"),
        ("eth0-no-ip", "! ip -4 -o addr show dev eth0 | grep -q inet"),
        ("default-route", "ip route show default | grep -q 'via 10.9.4.1 dev orb0'"),
        ("ip-forward", "grep -qx 1 /proc/sys/net/ipv4/ip_forward"),
    ]
    for key in ("conf/orb0/proxy_arp", "conf/orb0/forwarding", "conf/orb0/rp_filter"):
        facts.append((key, f"grep -qx 1 /proc/sys/net/ipv4/{key}"))
    facts.append(("orb0-delay", "grep -qx 0 /proc/sys/net/ipv4/neigh/orb0/proxy_delay"))
    for veth, (ns, ip) in PODS.items():
        facts += [
            (f"{veth}-link", f"ip -o link show {veth} | grep -q ',UP'"),
            (f"{veth}-route", f"ip route show {ip} | grep -q 'dev {veth} .*scope link'"),
            (f"{veth}-arp", f"grep -qx 1 /proc/sys/net/ipv4/conf/{veth}/proxy_arp"),
            (f"{veth}-delay", f"grep -qx 0 /proc/sys/net/ipv4/neigh/{veth}/proxy_delay"),
            (f"{veth}-rp", f"grep -qx 1 /proc/sys/net/ipv4/conf/{veth}/rp_filter"),
            (f"{veth}-pod-ip", f"ip netns exec {ns} ip -4 -o addr show dev eth0 | grep -q {ip}/22"),
            (f"{veth}-pod-route", f"ip netns exec {ns} ip route show default | grep -q 10.10.0.1"),
        ]
    out = []
    for name, check in facts:
        out.append(f"{name}:\n  cmd.run:\n    - name: 'echo would fix {name}; exit 1'\n"
                   f"    - unless: {json.dumps(check)}\n")
    return "\n".join(out), len(facts)


def configs(base, repo):
    halite = os.path.join(base, "halite")
    salt = os.path.join(base, "salt")
    for d in (halite, salt, os.path.join(salt, "srv")):
        os.makedirs(d)
    common = {"id": "r12-n01", "file_client": "local", "grains": {"rack": "r12", "roles": ["k8s-node"]}}
    with open(os.path.join(halite, "minion"), "w") as f:
        json.dump(dict(common, cachedir=os.path.join(halite, "cache"),
                       file_roots={"base": [os.path.join(repo, "states"), os.path.join(repo, "formulas")]},
                       pillar_roots={"base": [os.path.join(repo, "pillar")]}), f)
    sls, n = salt_sls()
    with open(os.path.join(salt, "srv", "network.sls"), "w") as f:
        f.write(sls)
    with open(os.path.join(salt, "minion"), "w") as f:
        json.dump(dict(common, root_dir=os.path.join(salt, "root"),
                       file_roots={"base": [os.path.join(salt, "srv")]}, pillar_roots={"base": []}), f)
    return halite, salt, n


def apply(node, argv, conf):
    t = time.perf_counter()
    out = subprocess.run(["ip", "netns", "exec", node, *argv, "--local", "-c", conf, "--out=json",
                          "state.apply", "network"], capture_output=True, text=True)
    wall = (time.perf_counter() - t) * 1000
    states = json.loads(out.stdout)["local"]
    bad = [k for k, r in states.items() if r["result"] is not True or r["changes"]]
    assert not bad, f"not converged: {bad}"
    return wall, sum(r["duration"] for r in states.values()), len(states)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--halite", required=True)
    ap.add_argument("--salt-call", required=True)
    ap.add_argument("--runs", type=int, default=10)
    a = ap.parse_args()
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    down()
    node = up()
    try:
        with tempfile.TemporaryDirectory() as base:
            hconf, sconf, facts = configs(base, repo)
            halite = [os.path.abspath(a.halite), "call"]
            first = subprocess.run(["ip", "netns", "exec", node, *halite, "--local", "-c", hconf,
                                    "--out=json", "state.apply", "network"], capture_output=True, text=True)
            assert all(r["result"] for r in json.loads(first.stdout)["local"].values()), first.stdout
            rows = {"halite": [], "salt": []}
            for _ in range(a.runs):
                rows["halite"].append(apply(node, halite, hconf))
                rows["salt"].append(apply(node, [a.salt_call], sconf))
            med = lambda k, i: statistics.median(r[i] for r in rows[k])
            print(f"converged state.apply network, median of {a.runs} "
                  f"(halite: {rows['halite'][0][2]} states; salt-call: {facts} cmd.run/unless states)")
            print(f"{'measure':40} {'salt-call':>12} {'halite':>12} {'halite/salt':>12}")
            for label, i in (("whole call (wall), ms", 0), ("sum of state durations, ms", 1)):
                s, h = med("salt", i), med("halite", i)
                print(f"{label:40} {s:12.1f} {h:12.1f} {h / s:12.3f}")
    finally:
        down()


if __name__ == "__main__":
    main()
