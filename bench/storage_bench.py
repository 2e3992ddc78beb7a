#!/usr/bin/env python3
"""Storage states on real LVM (loop devices, LVM metadata only: this kernel has
no device-mapper, so `global/activation = 0` in a private LVM_SYSTEM_DIR).

1. Salt's lvm.* states, converged (pv_present, vg_present, 2 x lv_present):
   `salt-call --local state.apply` and `halite call --local state.apply` on
   identical, separate rigs, in the same run. Reported: wall time of the whole
   call and the sum of the states' `duration`, medians, and halite/salt ratios.
2. docker_storage.configured, converged on a thin pool (written into the
   metadata as the tests do): halite only (docker-storage-setup, a bash
   script, is not installable here; its converged boot run is its whole
   sequence again).

usage: python3 bench/storage_bench.py --halite target/release/halite \
          --salt-call .venv/salt-3008.4/bin/salt-call [--runs 10]
"""
import argparse, json, os, statistics, subprocess, tempfile, time

SLS = """pv:
  lvm.pv_present:
    - name: {dev}
vg:
  lvm.vg_present:
    - name: vg1
    - devices: {dev}
data:
  lvm.lv_present:
    - vgname: vg1
    - size: 100M
logs:
  lvm.lv_present:
    - vgname: vg1
    - size: 20M
"""

def sh(*argv, env=None):
    return subprocess.run(argv, env=env, capture_output=True, text=True, check=True).stdout.strip()

class Rig:
    def __init__(self, base, name):
        self.root = os.path.join(base, name)
        for d in ("etc", "srv", "lvm/profile", "lock", "root/etc/salt/pki/minion"):
            os.makedirs(os.path.join(self.root, d))
        img = os.path.join(self.root, "disk.img")
        with open(img, "wb") as f: f.truncate(512 << 20)
        self.dev = sh("losetup", "-f", "--show", img)
        with open(os.path.join(self.root, "lvm/lvm.conf"), "w") as f:
            f.write('devices { filter = [ "a|^%s$|", "r|.*|" ] obtain_device_list_from_udev = 0 '
                    'external_device_info_source = "none" use_devicesfile = 0 }\n'
                    'activation { udev_sync = 0 udev_rules = 0 monitoring = 0 }\n'
                    'global { locking_dir = "%s/lock" activation = 0 }\nbackup { backup = 0 archive = 0 }\n'
                    % (self.dev, self.root))
        with open(os.path.join(self.root, "srv/lvm.sls"), "w") as f: f.write(SLS.format(dev=self.dev))
        conf = {"id": "bench", "file_client": "local", "root_dir": os.path.join(self.root, "root"),
                "file_roots": {"base": [os.path.join(self.root, "srv")]}, "pillar_roots": {"base": []}}
        with open(os.path.join(self.root, "etc/minion"), "w") as f: json.dump(conf, f)
        self.env = dict(os.environ, LVM_SYSTEM_DIR=os.path.join(self.root, "lvm"), LVM_SUPPRESS_FD_WARNINGS="1")

    def apply(self, cmd, sls, args=()):
        t = time.perf_counter()
        out = subprocess.run(cmd + ["-c", os.path.join(self.root, "etc"), "--local", "--out=json",
                                    "state.apply", sls] + list(args),
                             env=self.env, capture_output=True, text=True, check=True)
        wall = (time.perf_counter() - t) * 1000
        ret = json.loads(out.stdout)["local"]
        return wall, ret

    def close(self):
        subprocess.run(["lvm", "vgremove", "-f", "-y", "vg1"], env=self.env, capture_output=True)
        subprocess.run(["lvm", "vgremove", "-f", "-y", "docker-vg"], env=self.env, capture_output=True)
        subprocess.run(["losetup", "-d", self.dev], capture_output=True)

def converged(rig, cmd, sls, runs, args=()):
    rig.apply(cmd, sls, args)  # converge
    walls, states = [], []
    for _ in range(runs):
        wall, ret = rig.apply(cmd, sls, args)
        assert all(s["result"] is True and not s["changes"] for s in ret.values()), ret
        walls.append(wall)
        states.append(sum(float(s["duration"]) for s in ret.values()))
    return statistics.median(walls), statistics.median(states)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--halite", required=True)
    ap.add_argument("--salt-call", required=True)
    ap.add_argument("--runs", type=int, default=10)
    a = ap.parse_args()
    base = tempfile.mkdtemp(prefix="halite-storage-bench-")
    salt, hal, pool = Rig(base, "salt"), Rig(base, "halite"), Rig(base, "pool")
    try:
        sw, ss = converged(salt, [a.salt_call], "lvm", a.runs)
        hw, hs = converged(hal, [a.halite, "call"], "lvm", a.runs)
        print(f"lvm.* converged (4 states), median of {a.runs}:")
        print(f"  salt-call : wall {sw:7.1f} ms   states {ss:7.1f} ms")
        print(f"  halite    : wall {hw:7.1f} ms   states {hs:7.1f} ms")
        print(f"  ratio     : wall {hw / sw:.3f}x     states {hs / ss:.3f}x")
        t = []
        for _ in range(a.runs):
            t0 = time.perf_counter()
            sh("lvm", "vgs", "--reportformat", "json", env=hal.env)
            t.append((time.perf_counter() - t0) * 1000)
        print(f"  one `lvm vgs` call: {statistics.median(t):.1f} ms (both make 5 LVM calls for these 4 states)")
        # a thin pool in metadata: pv/vg, two linear LVs rewritten as the pool
        env = pool.env
        sh("lvm", "pvcreate", "-y", pool.dev, env=env); sh("lvm", "vgcreate", "docker-vg", pool.dev, env=env)
        sh("lvm", "lvcreate", "-an", "-Zn", "-y", "-L", "200M", "-n", "poolD", "docker-vg", env=env)
        make_pool(pool)
        with open(os.path.join(pool.root, "srv/cs.sls"), "w") as f:
            f.write("cs:\n  docker_storage.configured:\n    - vg: docker-vg\n    - storage_driver: devicemapper\n"
                    "    - config_file: ''\n    - output_file: %s/docker-storage\n    - docker_root_dir: %s/docker\n"
                    % (pool.root, pool.root))
        conf = json.load(open(os.path.join(pool.root, "etc/minion")))
        conf["lvm_driverloaded"] = False
        json.dump(conf, open(os.path.join(pool.root, "etc/minion"), "w"))
        pw, ps = converged(pool, [a.halite, "call"], "cs", a.runs)
        print(f"docker_storage.configured converged, median of {a.runs}: wall {pw:.1f} ms, state {ps:.1f} ms")
    finally:
        for r in (salt, hal, pool): r.close()

def make_pool(rig):
    """Rename pool_tdata into a thin-pool LV with a metadata LV, via vgcfgrestore."""
    env = rig.env
    sh("lvm", "lvcreate", "-an", "-Zn", "-y", "-L", "4M", "-n", "poolM", "docker-vg", env=env)
    f = os.path.join(rig.root, "vg.txt")
    sh("lvm", "vgcfgbackup", "-f", f, "docker-vg", env=env)
    s = open(f).read()
    s = s.replace("\t\tpoolM {", "\t\tdocker-pool_tmeta {").replace("\t\tpoolD {", "\t\tdocker-pool_tdata {")
    s = s.replace('status = ["READ", "WRITE", "VISIBLE"]', 'status = ["READ", "WRITE"]')
    i = s.index("\t\tdocker-pool_tdata {"); j = s.index("extent_count = ", i)
    extents = int(s[j + 15:].split()[0])
    lv = ('\t\tdocker-pool {\n\t\t\tid = "aaaaaa-bbbb-cccc-dddd-eeee-ffff-gggggg"\n\t\t\tstatus = ["READ", "WRITE", "VISIBLE"]\n'
          '\t\t\tflags = []\n\t\t\tsegment_count = 1\n\n\t\t\tsegment1 {\n\t\t\t\tstart_extent = 0\n'
          '\t\t\t\textent_count = %d\n\n\t\t\t\ttype = "thin-pool"\n\t\t\t\tmetadata = "docker-pool_tmeta"\n'
          '\t\t\t\tpool = "docker-pool_tdata"\n\t\t\t\ttransaction_id = 0\n\t\t\t\tchunk_size = 1024\n'
          '\t\t\t\tdiscards = "passdown"\n\t\t\t\tzero_new_blocks = 0\n\t\t\t}\n\t\t}\n' % extents)
    k = s.index("\tlogical_volumes {\n") + len("\tlogical_volumes {\n")
    open(f, "w").write(s[:k] + lv + s[k:])
    sh("lvm", "vgcfgrestore", "--force", "-f", f, "docker-vg", env=env)

if __name__ == "__main__":
    main()
