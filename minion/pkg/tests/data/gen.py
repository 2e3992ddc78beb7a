"""Record aptpkg 3008.4's repo functions on the fixture (see apt_sources.rs)."""
import json, os, subprocess, sys, tempfile
import salt.utils.pkg.deb as deb
import salt.modules.aptpkg as a

def tree(root):
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            out[os.path.relpath(p, root)] = open(p).read()
    return dict(sorted(out.items()))

cases = [json.loads(l) for l in open(sys.argv[1])]
fixture_sh = sys.argv[2]
result = {"fixture": None, "cases": []}
for fun, args, kwargs in cases:
    root = tempfile.mkdtemp()
    subprocess.run([fixture_sh, root], check=True)
    if result["fixture"] is None:
        result["fixture"] = tree(root)
    deb._APT_SOURCES_LIST = root + "/sources.list"
    deb._APT_SOURCES_PARTSDIR = root + "/sources.list.d/"
    a.__grains__ = {"os": "Debian", "os_family": "Debian", "oscodename": "bookworm"}
    a.__salt__ = {"config.option": lambda k, d=None: ""}
    a.__opts__, a.__context__ = {}, {}
    refreshed = []
    a.refresh_db = lambda *x, **k: refreshed.append(1) or {}
    sub = lambda v: json.loads(json.dumps(v).replace("ROOTDIR", root))
    case = {"fun": fun, "args": args, "kwargs": kwargs}
    try:
        ret = getattr(a, fun)(*sub(args), **sub(kwargs))
        case["ret"] = json.loads(json.dumps(ret).replace(root, "ROOTDIR"))
    except Exception as e:
        case["error"] = str(e).replace(root, "ROOTDIR")
    case["refreshed"] = bool(refreshed)
    case["files"] = tree(root)
    result["cases"].append(case)
print(json.dumps(result, indent=1))
