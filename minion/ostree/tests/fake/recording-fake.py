#!/usr/bin/env python3
"""Recording fake of rpm-ostree, bootc and systemctl for Halite's tests.

Installed under those names in a bin directory put first on PATH. It logs
every argv (one JSON list a line) to $FAKE_OSTREE_DIR/argv.log and answers
from $FAKE_OSTREE_DIR/status.json (an rpm-ostree `status --json` document,
seeded from a real fixture) and bootc.json, changing them as the real tools
would: new deployments are copies of the booted one with the available
commit's checksum/version, staged at index 0. $FAKE_OSTREE_DIR/scenario.json:
  available: [{version, checksum, digest?}]  commits the remote offers
  kargs:     "..."                            kernel args of the default deployment
  bootc_available: {image: {version, digest}} images a registry offers
Exit codes are the real ones: 0, 1 (error: ... on stderr), 77 (unchanged).
A reboot (finalize-deployment, rollback --reboot, systemctl reboot) flips
the booted deployment and writes $FAKE_OSTREE_DIR/reboot-requested.
"""
import copy, json, os, sys

D = os.environ["FAKE_OSTREE_DIR"]
def path(n): return os.path.join(D, n)
def load(n, default=None):
    try:
        with open(path(n)) as f: return json.load(f)
    except FileNotFoundError: return default
def save(n, v):
    with open(path(n) + ".tmp", "w") as f: json.dump(v, f, indent=1)
    os.replace(path(n) + ".tmp", path(n))
def fail(msg, code=1):
    sys.stderr.write("error: " + msg + "\n"); sys.exit(code)

tool = os.path.basename(sys.argv[0]); args = sys.argv[1:]
if tool == "systemctl" and args[:1] != ["reboot"]:
    # only reboots are faked; anything else is the host's systemctl
    for d in ("/usr/bin", "/bin"):
        if os.path.exists(d + "/systemctl"): os.execv(d + "/systemctl", ["systemctl"] + args)
    fail("systemctl: not installed")
with open(path("argv.log"), "a") as f: f.write(json.dumps([tool] + args) + "\n")
scn = load("scenario.json", {})
flags = [a for a in args[1:] if a.startswith("-")]
pos = [a for a in args[1:] if not a.startswith("-")]

def base_of(d): return d.get("base-checksum") or d["checksum"]

def booted(st): return next(d for d in st["deployments"] if d["booted"])

def reboot():
    """The machine reboots into deployments[0]. A harness that plays the
    machine restarts the minion when reboot-requested appears."""
    with open(path("reboot-requested"), "w") as f: f.write("1\n")
    st = load("status.json")
    for i, d in enumerate(st["deployments"]):
        d["booted"] = i == 0; d["staged"] = False; d.pop("finalization-locked", None)
    save("status.json", st)
    b = load("bootc.json")
    if b and b["status"].get("staged"):
        b["status"]["rollback"] = b["status"]["booted"]; b["status"]["booted"] = b["status"]["staged"]
        b["status"]["staged"] = None; save("bootc.json", b)

def new_deployment(st, base, commit=None, origin=None, packages=None):
    d = copy.deepcopy(base)
    if commit:
        layered = "base-checksum" in d
        d["version"] = commit["version"]; d.get("base-commit-meta", {})["version"] = commit["version"]
        for k in ("pending-base-checksum", "pending-base-version", "pending-base-timestamp"):
            d.pop(k, None)
        if layered:
            # layering carries over: a new local commit on the new base
            d["base-checksum"] = commit["checksum"]; d["base-version"] = commit["version"]
            d["checksum"] = format(abs(hash(commit["checksum"] + json.dumps(d.get("requested-packages")))), "064x")[:64]
        else:
            d["checksum"] = commit["checksum"]
        if commit.get("digest"): d["container-image-reference-digest"] = commit["digest"]
    if origin:
        if "container-image-reference" in d or origin.startswith("ostree-"): d["container-image-reference"] = origin; d.pop("origin", None)
        else: d["origin"] = origin
    if packages is not None:
        d["requested-packages"] = packages; d["packages"] = packages
        if "base-checksum" not in d: d["base-checksum"] = d["checksum"]
        d["checksum"] = format(abs(hash(json.dumps(packages) + d["base-checksum"])), "064x")[:64]
    d["booted"] = False; d["staged"] = True; d["pinned"] = False; d["serial"] = 0
    d["id"] = "%s-%s.0" % (d["osname"], d["checksum"])
    if "--lock-finalization" in flags: d["finalization-locked"] = True
    else: d.pop("finalization-locked", None)
    st["deployments"] = [x for x in st["deployments"] if not x.get("staged")]
    st["deployments"].insert(0, d); save("status.json", st)

def guard(st, driver_checked):
    if st.get("transaction"):
        fail("Transaction in progress: %s\n You can cancel the current transaction with `rpm-ostree cancel`" % st["transaction"][0])
    drv = st.get("update-driver")
    if driver_checked and drv and "--bypass-driver" not in flags:
        fail("Updates and deployments are driven by %s (%s)\nSee %s's documentation. Use --bypass-driver to bypass %s and perform the operation anyways."
             % (drv["driver-name"], drv["driver-sd-unit"], drv["driver-name"], drv["driver-name"]))

def unchanged():
    if "--unchanged-exit-77" in flags: sys.exit(77)
    print("No change."); sys.exit(0)

def find_commit(rev):
    for c in scn.get("available", []):
        if rev in ("version=" + c["version"], "revision=" + c["checksum"], c["checksum"], c.get("digest")):
            return c
    fail("Couldn't find commit for %s" % rev)

def rpm_ostree():
    st = load("status.json"); verb = args[0] if args else ""
    if verb == "status":
        print(json.dumps(st, indent=2)); return
    if verb == "kargs":
        cur = scn.get("kargs", "").split()
        edits = [f for f in flags if "=" in f and not f.startswith("--unchanged") and not f.startswith("--lock")]
        if not edits: print(" ".join(cur)); return
        guard(st, False); new = list(cur)
        for e in edits:
            k, v = e.split("=", 1)
            if k == "--append-if-missing" and v not in new: new.append(v)
            elif k == "--delete-if-present" and v in new: new.remove(v)
            elif k == "--replace":
                key = v.split("=", 1)[0]; new = [v if x.split("=", 1)[0] == key else x for x in new]
        if new == cur: unchanged()
        scn["kargs"] = " ".join(new); save("scenario.json", scn)
        new_deployment(st, st["deployments"][0] if not st["deployments"][0]["booted"] else booted(st)); return
    if verb == "deploy":
        guard(st, True); c = find_commit(pos[0])
        if base_of(st["deployments"][0]) == c["checksum"]: unchanged()
        new_deployment(st, booted(st), commit=c); return
    if verb == "rebase":
        guard(st, True); c = find_commit(pos[1]) if len(pos) > 1 else scn.get("available", [None])[-1]
        new_deployment(st, booted(st), commit=c, origin=pos[0]); return
    if verb == "upgrade":
        guard(st, True)  # rpm-ostree checks the driver before --check too
        avail = [c for c in scn.get("available", []) if c.get("newest")]
        cur = base_of(st["deployments"][0])
        if not avail or avail[0]["checksum"] == cur:
            print("No updates available."); sys.exit(77)
        if "--check" in flags or "--preview" in flags:
            st["cached-update"] = {"checksum": avail[0]["checksum"], "version": avail[0]["version"]}; save("status.json", st)
            print("AvailableUpdate:\n  Version: " + avail[0]["version"]); return
        new_deployment(st, booted(st), commit=avail[0]); return
    if verb in ("install", "uninstall"):
        guard(st, False)
        base = st["deployments"][0]; req = list(base.get("requested-packages", []))
        add = pos if verb == "install" else []
        rem = (pos if verb == "uninstall" else []) + [f.split("=", 1)[1] for f in flags if f.startswith("--uninstall=")]
        new = [p for p in req if p not in rem] + [p for p in add if p not in req]
        if new == req: unchanged()
        new_deployment(st, base if not base["booted"] else booted(st), packages=new); return
    if verb == "rollback":
        guard(st, False); deps = st["deployments"]; b = next(i for i, d in enumerate(deps) if d["booted"])
        if b == 0:
            if len(deps) < 2: fail("No rollback deployment found")
            deps[0], deps[1] = deps[1], deps[0]
        else:
            deps.insert(0, deps.pop(b))
        save("status.json", st); print("Moving '%s' to be first deployment" % deps[0]["checksum"])
        if "--reboot" in flags: reboot()
        return
    if verb == "refresh-md":
        guard(st, False); print("Available metadata refreshed"); return
    if verb == "cleanup":
        guard(st, False)
        if "--pending" in flags:
            b = next(i for i, d in enumerate(st["deployments"]) if d["booted"]); st["deployments"] = st["deployments"][b:]
        save("status.json", st); return
    if verb == "finalize-deployment":
        staged = next((d for d in st["deployments"] if d.get("staged")), None)
        if not staged or base_of(staged) != pos[0]: fail("Expected staged base checksum %s" % pos[0])
        reboot(); return
    fail("Unknown subcommand '%s'" % verb)

def bootc():
    b = load("bootc.json"); verb = args[0] if args else ""
    if b is None: fail("bootc: this system was not booted via bootc")
    if verb == "status": print(json.dumps(b, indent=2)); return
    if verb == "switch":
        ref = pos[0]; name = ref.split("@")[0]; offer = scn.get("bootc_available", {}).get(name)
        if not offer: fail("Pulling: manifest unknown: %s" % ref)
        entry = copy.deepcopy(b["status"]["booted"])
        entry["image"]["image"]["image"] = ref; entry["image"]["version"] = offer["version"]; entry["image"]["imageDigest"] = offer["digest"]
        entry["ostree"]["checksum"] = offer["checksum"]
        b["status"]["staged"] = entry; b["spec"]["image"] = {"image": ref, "transport": "registry"}; save("bootc.json", b)
        print("Queued for next boot: %s" % ref); return
    if verb == "rollback":
        b["status"]["rollbackQueued"] = not b["status"].get("rollbackQueued", False); save("bootc.json", b); return
    if verb == "upgrade": print("No changes in: %s" % b["spec"]["image"]["image"]); return
    fail("unrecognized subcommand '%s'" % verb)

def systemctl():
    if args[:1] == ["reboot"]: reboot(); return
    fail("fake systemctl: only reboot is recorded")

{"rpm-ostree": rpm_ostree, "bootc": bootc, "systemctl": systemctl}[tool]()
