#!/usr/bin/env python3
"""Generate docs/compat-functions.md and docs/compat-jinja.md: every execution
function, state function, Jinja filter, test and global of Salt 3008.4, each
marked native or not yet for Halite, plus what Halite has that Salt has not.

Salt's side is read from the pinned venv: its source (ast over salt/modules and
salt/states, as the loader would name the functions; the Jinja filters and
tests of salt/utils/*.py and SerializerExtension) and its jinja2 package (the
built-in filters/tests/globals). Halite's side is asked of the built binary:
`halite call --local sys.list_functions` / `sys.list_state_functions`, and for
Jinja an SLS rendered by `halite call --local state.show_sls` that tests every
candidate name with `is filter` / `is test` / `is defined` in Halite's real
environment. The Halite-only Jinja candidates are the names its render crate
registers (minion/render/src) and minijinja's built-ins (its defaults.rs,
found through `cargo metadata`); each is kept only if the probe finds it.

Output is sorted and carries no paths or times: regenerating is deterministic.

It also writes minion/api/data/salt-functions.txt (--data-file), every Salt
function name, from which halite tells a Salt function it lacks from a typo.

usage: compat-table.py [--venv DIR] [--halite BIN] [--out-dir DIR]
                       [--data-file FILE] [--check] [--check-salt]
  --check        compare with the files in place instead of writing; exit 1
                 naming the stale files
  --check-salt   also probe the real salt-call of the venv (its loaded
                 functions on this host, its Jinja environment) and report
                 where this script's reading of the source disagrees
Stdlib only; runs with any python3.
"""

import argparse
import ast
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SALT_VERSION = "3008.4"
LOADER_ALIAS_CALLS = {"alias_function", "namespaced_function"}


# ---------------------------------------------------------------- Salt: loader


def public_defs(body, out):
    """Top-level function names of a module body, through if/try/with blocks."""
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out.add(node.name)
        elif isinstance(node, ast.If):
            public_defs(node.body, out)
            public_defs(node.orelse, out)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody):
                public_defs(block, out)
            for handler in node.handlers:
                public_defs(handler.body, out)
        elif isinstance(node, ast.With):
            public_defs(node.body, out)


def top_assigns(body):
    """(name, value) of simple top-level assignments, through if/try blocks."""
    for node in body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    yield target.id, node.value
        elif isinstance(node, ast.If):
            yield from top_assigns(node.body)
            yield from top_assigns(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody):
                yield from top_assigns(block)


def literal(value, default):
    try:
        return ast.literal_eval(value)
    except (ValueError, SyntaxError, TypeError):
        return default


def virtual_names(tree, stem, assigns):
    """The names the loader files a module under: `__virtualname__` (or the
    string `__virtual__` returns), else the file name; plus
    `__virtual_aliases__`."""
    names = []
    virtualname = literal(assigns["__virtualname__"], None) if "__virtualname__" in assigns else None
    if isinstance(virtualname, str):
        names.append(virtualname)
    else:
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name == "__virtual__":
                for sub in ast.walk(node):
                    if (
                        isinstance(sub, ast.Return)
                        and isinstance(sub.value, ast.Constant)
                        and isinstance(sub.value.value, str)
                    ):
                        names.append(sub.value.value)
                        break
        if not names:
            names.append(stem)
    aliases = literal(assigns["__virtual_aliases__"], ()) if "__virtual_aliases__" in assigns else ()
    names.extend(a for a in aliases if isinstance(a, str) and a not in names)
    return names


def set_on_self(tree):
    """Names a module sets on itself at load time:
    `setattr(sys.modules[__name__], "name", ...)` (ansiblegate's state `call`)."""
    out = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", None) == "setattr"
            and len(node.args) == 3
            and "sys.modules[__name__]" == ast.unparse(node.args[0])
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            out.add(node.args[1].value)
    return out


def module_functions(path):
    """(virtual names, function names) of one loader module, as the lazy
    loader packs it: public functions defined (or aliased with
    alias_function/namespaced_function) in the file, `__load__`/`__all__`
    when given, renamed by `__func_alias__`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    assigns = dict(top_assigns(tree.body))
    defs = set()
    public_defs(tree.body, defs)
    funcs = set(defs)
    for name, value in top_assigns(tree.body):
        if isinstance(value, ast.Name) and value.id in defs:
            funcs.add(name)
        elif isinstance(value, ast.Call):
            fn = value.func
            called = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", None)
            if called in LOADER_ALIAS_CALLS:
                funcs.add(name)
    funcs |= set_on_self(tree)
    for key in ("__load__", "__all__"):
        if key in assigns:
            value = assigns[key]
            while isinstance(value, ast.Assign):  # __load__ = __x__[:] = [...]
                value = value.value
            listed = literal(value, None)
            if isinstance(listed, (list, tuple)):
                funcs = {f for f in listed if f in funcs}
            break
    alias = literal(assigns.get("__func_alias__", ast.Constant(None)), None) or {}
    names = sorted({alias.get(f, f) for f in funcs if not f.startswith("_")})
    return virtual_names(tree, path.stem, assigns), names


def salt_functions(site, kind):
    """{module: {function: [files]}} over salt/<kind>/*.py."""
    out = {}
    for path in sorted((site / "salt" / kind).glob("*.py")):
        if path.name.startswith("_"):
            continue
        modules, funcs = module_functions(path)
        for module in modules:
            for fun in funcs:
                out.setdefault(module, {}).setdefault(fun, []).append(path.name)
    return out


# ---------------------------------------------------------------- Salt: Jinja


def decorated(site, decorator):
    """{name: file} of functions under `@<decorator>(name?)` in salt/**/*.py."""
    out = {}
    for path in sorted((site / "salt").rglob("*.py")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if decorator not in text:
            continue
        for node in ast.walk(ast.parse(text, filename=str(path))):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for deco in node.decorator_list:
                if isinstance(deco, ast.Call):
                    fn, args = deco.func, deco.args
                else:
                    fn, args = deco, []
                name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", None)
                if name != decorator:
                    continue
                given = literal(args[0], None) if args else None
                rel = str(path.relative_to(site))
                out.setdefault(given or node.name, rel)  # first registration wins, as Salt's
    return out


def serializer_filters(site):
    """The filters SerializerExtension.__init__ adds (salt/utils/jinja.py)."""
    tree = ast.parse((site / "salt/utils/jinja.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == "SerializerExtension":
            for sub in ast.walk(node):
                if (
                    isinstance(sub, ast.Call)
                    and isinstance(sub.func, ast.Attribute)
                    and sub.func.attr == "update"
                    and sub.args
                    and isinstance(sub.args[0], ast.Dict)
                ):
                    return sorted(k.value for k in sub.args[0].keys if isinstance(k, ast.Constant))
    raise SystemExit("SerializerExtension's filters not found in salt/utils/jinja.py")


def templates_env(site):
    """Names salt/utils/templates.py sets directly on the Jinja environment:
    (tests, globals) from `jinja_env.tests["x"] = ...` / `.globals["x"] = ...`."""
    text = (site / "salt/utils/templates.py").read_text(encoding="utf-8")
    tests = sorted(set(re.findall(r'jinja_env\.tests\["([^"]+)"\]\s*=', text)))
    globs = sorted(set(re.findall(r'jinja_env\.globals\["([^"]+)"\]\s*=', text)))
    return tests, globs


def jinja2_builtins(venv):
    code = (
        "import json, jinja2, jinja2.defaults as d;"
        "print(json.dumps({'version': jinja2.__version__, 'filters': sorted(d.DEFAULT_FILTERS),"
        " 'tests': sorted(d.DEFAULT_TESTS), 'globals': sorted(d.DEFAULT_NAMESPACE)}))"
    )
    out = subprocess.run([str(venv / "bin/python"), "-c", code], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def salt_jinja(site, venv):
    """{kind: {name: source}} of Salt's SLS/template Jinja environment."""
    j2 = jinja2_builtins(venv)
    jinja_py = "salt/utils/jinja.py"
    env = {kind: {n: "Jinja2" for n in j2[kind]} for kind in ("filters", "tests", "globals")}

    def add(kind, name, source):
        prior = env[kind].get(name)
        env[kind][name] = f"{source} (over Jinja2's)" if prior == "Jinja2" else source

    for name, src in decorated(site, "jinja_filter").items():
        if name == "indent":  # templates.py puts Jinja2's indent back (Jinja >= 2.11)
            continue
        add("filters", name, src)
    for name in serializer_filters(site):
        add("filters", name, f"{jinja_py} SerializerExtension")
    for name, src in decorated(site, "jinja_test").items():
        add("tests", name, src)
    for name, src in decorated(site, "jinja_global").items():
        add("globals", name, src)
    tests, globs = templates_env(site)
    for name in tests:
        add("tests", name, "salt/utils/templates.py")
    for name in globs:
        add("globals", name, "salt/utils/templates.py")
    return j2["version"], env


# ---------------------------------------------------------------- Halite


def halite_config(tmp):
    root = Path(tmp)
    (root / "etc").mkdir()
    (root / "srv").mkdir()
    conf = {
        "id": "compat-table",
        "file_client": "local",
        "root_dir": str(root / "root"),
        "file_roots": {"base": [str(root / "srv")]},
        "pillar_roots": {"base": [str(root / "pillar")]},
    }
    (root / "etc/minion").write_text(json.dumps(conf))
    return root


def call_json(binary, root, *args):
    argv = [str(binary), "call", "-c", str(root / "etc"), "--local", "--out", "json", *args]
    out = subprocess.run(argv, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({out.returncode}):\n{out.stderr}")
    return json.loads(out.stdout)["local"]


def probe_sls(candidates):
    """An SLS whose one state carries, per kind, {name: present} tested in
    the rendering environment itself."""
    test_of = {"filters": "filter", "tests": "test", "globals": "defined"}
    lines = ["compat_probe:", "  test.nop:"]
    for kind in ("filters", "tests", "globals"):
        lines.append(f"    - {kind}:")
        for name in sorted(candidates[kind]):
            if "'" in name or "\\" in name:
                raise SystemExit(f"cannot probe the name {name!r}")
            subject = f"'{name}'" if kind != "globals" else name
            lines.append(f"        {json.dumps(name)}: {{{{ ({subject} is {test_of[kind]})|tojson }}}}")
    return "\n".join(lines) + "\n"


def probe_jinja(salt_call, root, candidates):
    (root / "srv/compat_probe.sls").write_text(probe_sls(candidates))
    argv = [*salt_call, "-c", str(root / "etc"), "--local", "--out", "json", "state.show_sls", "compat_probe"]
    out = subprocess.run(argv, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({out.returncode}):\n{out.stdout}{out.stderr}")
    state = json.loads(out.stdout)["local"]["compat_probe"]["test"]
    found = {}
    for item in state:
        if isinstance(item, dict):
            for kind, names in item.items():
                if kind not in candidates:
                    continue
                found[kind] = sorted(n for n, present in names.items() if present)
    return found


def halite_registrations():
    """Names minion/render/src registers (add_filter/add_test/add_function;
    its add_global calls are the render context: salt, grains, pillar, ...)."""
    out = {"filters": set(), "tests": set(), "globals": set()}
    kinds = {"filter": "filters", "test": "tests", "function": "globals"}
    for path in sorted((REPO / "minion/render/src").rglob("*.rs")):
        for kind, name in re.findall(r'add_(filter|test|function)\(\s*"([^"]+)"', path.read_text()):
            if not name.startswith("__"):
                out[kinds[kind]].add(name)
    return out


def minijinja_builtins():
    """minijinja's version and the names its defaults.rs inserts, by kind."""
    host = subprocess.run(["rustc", "-vV"], check=True, capture_output=True, text=True).stdout
    triple = re.search(r"^host: (\S+)", host, re.M).group(1)
    meta = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--offline", "--locked", "--filter-platform", triple],
        cwd=REPO, check=True, capture_output=True, text=True,
    )
    pkg = next(p for p in json.loads(meta.stdout)["packages"] if p["name"] == "minijinja")
    text = (Path(pkg["manifest_path"]).parent / "src/defaults.rs").read_text()
    out = {}
    for kind, fn in (("filters", "build_builtin_filters"), ("tests", "build_builtin_tests"), ("globals", "build_globals")):
        body = text.split(f"fn {fn}(", 1)[1].split("\n}\n", 1)[0]
        out[kind] = set(re.findall(r'rv\.insert\(\s*"([^"]+)"', body))
    return pkg["version"], out


# ---------------------------------------------------------------- output


def code_list(names):
    return ", ".join(f"`{n}`" for n in names) if names else "none"


def functions_doc(exec_salt, state_salt, exec_native, state_native):
    def count(salt, native):
        total = sum(len(f) for f in salt.values())
        have = sum(1 for m, fs in salt.items() for f in fs if f"{m}.{f}" in native)
        return have, total

    lines = [
        "# Salt functions in Halite",
        "",
        "<!-- generated by tests/scripts/compat-table.py; do not edit: tests/run.sh fails when it is stale -->",
        "",
        f"Every execution and state function of Salt {SALT_VERSION} (its `salt/modules` and",
        "`salt/states`, named as the loader names them: `__virtualname__`,",
        "`__func_alias__`, several files under one name such as `pkg` or `service`),",
        "marked **native** when Halite has it (`halite call sys.list_functions` /",
        "`sys.list_state_functions`) or **not yet**. A Salt module is listed whatever",
        "its `__virtual__` would say on a given host. The Jinja side is in",
        "[compat-jinja.md](compat-jinja.md); the summary in [compat.md](compat.md).",
        "",
        "Regenerate: `python3 tests/scripts/compat-table.py --venv .venv/salt-3008.4`",
        "(after `cargo build -p halite`).",
        "",
        "| | native | Salt total | modules with any native |",
        "|---|---|---|---|",
    ]
    for title, salt, native in (("execution functions", exec_salt, exec_native), ("state functions", state_salt, state_native)):
        have, total = count(salt, native)
        mods = sum(1 for m, fs in salt.items() if any(f"{m}.{f}" in native for f in fs))
        lines.append(f"| {title} | {have} | {total} | {mods} of {len(salt)} |")
    lines.append("")
    for title, salt, native in (("Execution modules", exec_salt, exec_native), ("State modules", state_salt, state_native)):
        lines += [f"## {title}", "", "Modules Halite has functions of:", "", "| module | native | Salt |", "|---|---|---|"]
        for module, fs in sorted(salt.items()):
            have = sum(1 for f in fs if f"{module}.{f}" in native)
            if have:
                lines.append(f"| [`{module}`](#{title.split()[0].lower()}-{module}) | {have} | {len(fs)} |")
        lines.append("")
        for module, fs in sorted(salt.items()):
            files = sorted({f for files in fs.values() for f in files})
            have = [f for f in sorted(fs) if f"{module}.{f}" in native]
            lack = [f for f in sorted(fs) if f"{module}.{f}" not in native]

            def show(f):
                own = fs[f]
                return f"`{f}`" if len(files) == 1 or len(own) == len(files) else f"`{f}` ({', '.join(own)})"

            anchor = f"{title.split()[0].lower()}-{module}"
            lines += [
                f'### <a id="{anchor}"></a>`{module}`: {len(have)} of {len(fs)} native',
                "",
                f"Salt: {', '.join(files)}",
                "",
            ]
            if have:
                lines.append(f"- native: {', '.join(show(f) for f in have)}")
            if lack:
                lines.append(f"- not yet: {', '.join(show(f) for f in lack)}")
            lines.append("")
    lines += [
        "## Halite functions that are not Salt's",
        "",
        "Functions Halite has that Salt 3008.4's own modules do not have (a module",
        "of the same name may exist in Salt).",
        "",
    ]
    for title, salt, native in (("execution", exec_salt, exec_native), ("state", state_salt, state_native)):
        extra = {}
        for name in sorted(native):
            module, fun = name.split(".", 1)
            if fun not in salt.get(module, {}):
                extra.setdefault(module, []).append(fun)
        lines += [f"{title.capitalize()} functions:", ""]
        if not extra:
            lines.append("- none")
        for module, funs in sorted(extra.items()):
            where = "Salt has this module" if module in salt else "not a Salt module"
            lines.append(f"- `{module}` ({where}): {code_list(funs)}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def jinja_doc(j2_version, mj_version, salt_env, native, halite_only):
    label = {"filters": "Filters", "tests": "Tests", "globals": "Globals"}
    lines = [
        "# Salt's Jinja filters, tests and globals in Halite",
        "",
        "<!-- generated by tests/scripts/compat-table.py; do not edit: tests/run.sh fails when it is stale -->",
        "",
        f"Every filter, test and global of the Jinja environment Salt {SALT_VERSION} renders",
        f"SLS files and templates with: Jinja2 {j2_version}'s built-ins",
        "(`jinja2.defaults`), the `@jinja_filter`/`@jinja_test`/`@jinja_global`",
        "functions of Salt's source, SerializerExtension's filters and what",
        "`salt/utils/templates.py` sets (Salt's win over Jinja2's, except `indent`,",
        "which Salt puts back). **native**: the name resolves in Halite's Jinja",
        f"environment (minijinja {mj_version}, probed with `is filter` / `is test` /",
        "`is defined` in an SLS rendered by `halite call`). A native name may still",
        "differ in details: [render.md](render.md) describes Halite's filters. The",
        "functions side is in [compat-functions.md](compat-functions.md).",
        "",
        "| | native | Salt total |",
        "|---|---|---|",
    ]
    for kind in ("filters", "tests", "globals"):
        have = sum(1 for n in salt_env[kind] if n in native[kind])
        lines.append(f"| {kind} | {have} | {len(salt_env[kind])} |")
    lines.append("")
    for kind in ("filters", "tests", "globals"):
        lines += [f"## {label[kind]}", "", "| name | Halite | Salt's from |", "|---|---|---|"]
        for name in sorted(salt_env[kind]):
            mark = "native" if name in native[kind] else "not yet"
            lines.append(f"| `{name}` | {mark} | {salt_env[kind][name]} |")
        lines.append("")
    lines += [
        "## Halite's that are not Salt's",
        "",
        "Names Halite's environment has (minijinja's built-ins and Halite's own)",
        "that Salt's has not; a template using them does not render under Salt.",
        "",
    ]
    for kind in ("filters", "tests", "globals"):
        lines.append(f"- {kind}: {code_list(sorted(halite_only[kind]))}")
    return "\n".join(lines).rstrip("\n") + "\n"


def names_data(exec_salt, state_salt):
    """Every Salt function name, for the binary (halite_api::salt_names)."""
    lines = [
        f"# Salt {SALT_VERSION}'s execution (exec) and state (state) functions, every module",
        "# whatever its __virtual__ says. Generated by tests/scripts/compat-table.py; do not edit.",
    ]
    for kind, table in (("exec", exec_salt), ("state", state_salt)):
        lines += sorted(f"{kind} {m}.{f}" for m, fs in table.items() for f in fs)
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- checks


def check_salt(venv, root, exec_salt, state_salt, salt_env, candidates):
    """Where the real salt-call disagrees with the source reading: functions
    it loads on this host that the table lacks; Jinja names of the table its
    environment lacks, and candidates (Halite's, minijinja's) it has that
    the table lacks."""
    problems = []
    salt_call = [str(venv / "bin/salt-call")]
    for fun, table in (("sys.list_functions", exec_salt), ("sys.list_state_functions", state_salt)):
        argv = [*salt_call, "-c", str(root / "etc"), "--local", "--out", "json", fun]
        loaded = json.loads(subprocess.run(argv, check=True, capture_output=True, text=True).stdout)["local"]
        listed = {f"{m}.{f}" for m, fs in table.items() for f in fs}
        missing = sorted(set(loaded) - listed)
        problems += [f"{fun}: loaded by salt-call, not in the table: {n}" for n in missing]
        print(f"check-salt: {fun}: {len(loaded)} loaded on this host, {len(missing)} not in the table", file=sys.stderr)
    found = probe_jinja(salt_call, root, candidates)
    for kind, names in salt_env.items():
        absent = sorted(set(names) - set(found.get(kind, [])))
        problems += [f"jinja {kind}: not in salt-call's environment: {n}" for n in absent]
        unlisted = sorted(set(found.get(kind, [])) - set(names))
        problems += [f"jinja {kind}: in salt-call's environment, not in the table: {n}" for n in unlisted]
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--venv", default=str(REPO / ".venv/salt-3008.4"))
    ap.add_argument("--halite", default=str(REPO / "target/debug/halite"))
    ap.add_argument("--out-dir", default=str(REPO / "docs"))
    ap.add_argument("--data-file", default=str(REPO / "minion/api/data/salt-functions.txt"))
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--check-salt", action="store_true")
    opts = ap.parse_args()
    venv = Path(opts.venv).resolve()
    sites = sorted(venv.glob("lib/python3*/site-packages"))
    if not sites or not (sites[0] / "salt").is_dir():
        raise SystemExit(f"no Salt in {venv}")
    site = sites[0]

    exec_salt = salt_functions(site, "modules")
    state_salt = salt_functions(site, "states")
    j2_version, salt_env = salt_jinja(site, venv)
    mj_version, mj_names = minijinja_builtins()
    registered = halite_registrations()
    with tempfile.TemporaryDirectory(prefix="compat-table.") as tmp:
        root = halite_config(tmp)
        exec_native = set(call_json(opts.halite, root, "sys.list_functions"))
        state_native = set(call_json(opts.halite, root, "sys.list_state_functions"))
        candidates = {k: set(salt_env[k]) | registered[k] | mj_names[k] for k in salt_env}
        native = {k: set(v) for k, v in probe_jinja([opts.halite, "call"], root, candidates).items()}
        problems = check_salt(venv, root, exec_salt, state_salt, salt_env, candidates) if opts.check_salt else []
    halite_only = {k: native[k] - set(salt_env[k]) for k in salt_env}

    docs = {
        "compat-functions.md": functions_doc(exec_salt, state_salt, exec_native, state_native),
        "compat-jinja.md": jinja_doc(j2_version, mj_version, salt_env, native, halite_only),
    }
    out_dir = Path(opts.out_dir)
    outputs = {out_dir / name: text for name, text in docs.items()}
    outputs[Path(opts.data_file)] = names_data(exec_salt, state_salt)
    status = 0
    for path, text in outputs.items():
        if opts.check:
            if not path.is_file() or path.read_text() != text:
                print(f"{path} is stale: run python3 tests/scripts/compat-table.py --venv {opts.venv}", file=sys.stderr)
                status = 1
        else:
            path.write_text(text)
    for p in problems:
        print(f"check-salt: {p}", file=sys.stderr)
    return 1 if problems else status


if __name__ == "__main__":
    sys.exit(main())
