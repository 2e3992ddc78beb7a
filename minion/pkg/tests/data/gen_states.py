"""Record Salt 3008.4's pkgrepo.managed/absent over aptpkg on the fixture (see apt_sources.rs)."""
import json, os, subprocess, sys, tempfile
import salt.utils.pkg.deb as deb
import salt.modules.aptpkg as a
import salt.states.pkgrepo as s

def tree(root):
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            out[os.path.relpath(p, root)] = open(p).read()
    return dict(sorted(out.items()))

cases = [json.loads(l) for l in open(sys.argv[1])]
result = []
for fun, name, kwargs, test in cases:
    root = tempfile.mkdtemp()
    subprocess.run([sys.argv[2], root], check=True)
    deb._APT_SOURCES_LIST = root + "/sources.list"
    deb._APT_SOURCES_PARTSDIR = root + "/sources.list.d/"
    a.__grains__ = s.__grains__ = {"os": "Debian", "os_family": "Debian", "oscodename": "bookworm"}
    a.__salt__ = {"config.option": lambda k, d=None: ""}
    a.__opts__, a.__context__ = {}, {}
    refreshed = []
    a.refresh_db = lambda *x, **k: refreshed.append(1) or {}
    s.__opts__ = {"test": test}
    s.__env__ = "base"
    s.__salt__ = {"pkg.get_repo": a.get_repo, "pkg.mod_repo": a.mod_repo, "pkg.del_repo": a.del_repo,
                  "pkg.list_repos": a.list_repos, "pkg.del_repo_key": None, "test.ping": a.list_repos}
    sub = lambda v: json.loads(json.dumps(v).replace("ROOTDIR", root))
    ret = getattr(s, fun)(name, **sub(kwargs))
    result.append({"fun": fun, "name": name, "kwargs": kwargs, "test": test,
                   "ret": json.loads(json.dumps(ret).replace(root, "ROOTDIR")),
                   "refreshed": bool(refreshed), "files": tree(root)})
print(json.dumps(result, indent=1))
