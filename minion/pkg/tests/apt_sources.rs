//! The apt repo functions (`pkg.list_repos`, `get_repo`, `mod_repo`,
//! `del_repo`) on a sample apt config (`data/fixture.sh`: `sources.list`
//! with options, comments, a disabled line; a `.list` file; two deb822
//! `.sources` files), against `data/apt_sources_salt.json`: the returns,
//! errors, refreshes and resulting files of Salt 3008.4's own aptpkg run
//! on the same fixture (`data/gen.py`: its `SourcesList` paths pointed at
//! the scratch root, `refresh_db` recorded instead of run):
//!
//! ```sh
//! .venv/salt-3008.4/bin/python3 minion/pkg/tests/data/gen.py minion/pkg/tests/data/functions.jsonl \
//!     minion/pkg/tests/data/fixture.sh > minion/pkg/tests/data/apt_sources_salt.json
//! ```
//! and `data/apt_states_salt.json`: `pkgrepo.managed`/`pkgrepo.absent`
//! (Salt's `states/pkgrepo.py` over the same aptpkg, `data/gen_states.py`
//! with `data/states.jsonl`) on the same fixture.
//!
//! salt-call itself can only act on `/etc/apt` (the paths are fixed in
//! `salt.utils.pkg.deb`); Halite takes the root from `pkgrepo_apt_root`.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use halite_api::{CmdOutput, CmdSpec, CommandRunner, Ctx, ExecCall, ExecError, RunError, Value};
use serde_json::json;

const RECORDED: &str = include_str!("data/apt_sources_salt.json");
const RECORDED_STATES: &str = include_str!("data/apt_states_salt.json");

/// `apt-get update` succeeds (and is counted); nothing else may run.
#[derive(Default)]
struct AptGet {
    updates: Mutex<u32>,
}

impl CommandRunner for AptGet {
    fn run(&self, spec: &CmdSpec) -> Result<CmdOutput, RunError> {
        assert!(
            spec.argv.first().is_some_and(|a| a == "apt-get")
                && spec.argv.iter().any(|a| a == "update"),
            "unexpected command {:?}",
            spec.argv
        );
        *self.updates.lock().unwrap() += 1;
        Ok(CmdOutput::default())
    }
}

fn ctx(root: &Path, runner: Arc<AptGet>) -> Ctx {
    let opts = json!({"id": "n1", "cachedir": root.join("cache"), "pkgrepo_apt_root": root,
                      "ostree_sysroot": root.join("no-ostree")});
    let grains = json!({"os_family": "Debian", "os": "Debian", "osarch": "amd64"});
    common::ctx_with_grains(runner, opts, grains)
}

/// Every file under `root` (the cache aside), by relative path.
fn tree(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            if e.file_name() != "cache" {
                tree(root, &p, out);
            }
        } else {
            let rel = p.strip_prefix(root).unwrap().display().to_string();
            out.insert(rel, std::fs::read_to_string(&p).unwrap());
        }
    }
}

fn substitute(v: &Value, from: &str, to: &str) -> Value {
    serde_json::from_str(&v.to_string().replace(from, to)).unwrap()
}

fn message(e: ExecError) -> String {
    match e {
        ExecError::Invocation(m) | ExecError::Failed(m) => m,
        other => format!("{other:?}"),
    }
}

/// A scratch apt root holding the fixture.
fn fixture_root(fixture: &serde_json::Map<String, Value>) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for (rel, text) in fixture {
        let p = tmp.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text.as_str().unwrap()).unwrap();
    }
    tmp
}

fn files_of(root: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    tree(root, root, &mut files);
    files
}

fn want_files(case: &Value) -> BTreeMap<String, String> {
    case["files"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn pkgrepo_states_match_salts_on_the_fixture() {
    let recorded: Value = serde_json::from_str(RECORDED).unwrap();
    let fixture = recorded["fixture"].as_object().unwrap();
    let cases: Value = serde_json::from_str(RECORDED_STATES).unwrap();
    let cases = cases.as_array().unwrap();
    assert!(cases.len() >= 18);
    for case in cases {
        let tmp = fixture_root(fixture);
        let root = tmp.path();
        let root_s = root.display().to_string();
        let runner = Arc::new(AptGet::default());
        let ctx = ctx(root, runner.clone());
        let fun = format!("pkgrepo.{}", case["fun"].as_str().unwrap());
        let name = case["name"].as_str().unwrap();
        let what = format!("{fun} {name} {} test={}", case["kwargs"], case["test"]);
        let kwargs = substitute(&case["kwargs"], "ROOTDIR", &root_s);
        let ret = common::state(&ctx, &fun, name, kwargs, case["test"].as_bool().unwrap());
        let got = json!({"name": ret.name, "changes": ret.changes, "result": ret.result, "comment": ret.comment});
        assert_eq!(substitute(&got, &root_s, "ROOTDIR"), case["ret"], "{what}");
        let refreshed = *runner.updates.lock().unwrap() > 0;
        assert_eq!(
            refreshed,
            case["refreshed"].as_bool().unwrap(),
            "refresh of {what}"
        );
        assert_eq!(files_of(root), want_files(case), "files after {what}");
    }
}

#[test]
fn repo_functions_match_salts_aptpkg_on_the_fixture() {
    let recorded: Value = serde_json::from_str(RECORDED).unwrap();
    let fixture = recorded["fixture"].as_object().unwrap();
    let cases = recorded["cases"].as_array().unwrap();
    assert!(cases.len() >= 30);
    for case in cases {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        for (rel, text) in fixture {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text.as_str().unwrap()).unwrap();
        }
        let runner = Arc::new(AptGet::default());
        let ctx = ctx(root, runner.clone());
        let root_s = root.display().to_string();
        let fun = format!("pkg.{}", case["fun"].as_str().unwrap());
        let what = format!("{fun} {} {}", case["args"], case["kwargs"]);
        let args = substitute(&case["args"], "ROOTDIR", &root_s);
        let kwargs = substitute(&case["kwargs"], "ROOTDIR", &root_s);
        let spec = ctx.registry.exec(&fun).unwrap();
        let got = (spec.run)(&ExecCall {
            ctx: &ctx,
            args: args.as_array().unwrap().clone(),
            kwargs: kwargs.as_object().unwrap().clone(),
        });
        match (got, case.get("ret")) {
            (Ok(out), Some(want)) => {
                assert_eq!(substitute(&out.ret, &root_s, "ROOTDIR"), *want, "{what}")
            }
            (Err(e), None) => assert_eq!(
                message(e).replace(&root_s, "ROOTDIR"),
                case["error"].as_str().unwrap(),
                "{what}"
            ),
            (got, _) => panic!(
                "{what}: got {:?}, Salt {:?}",
                got.map(|o| o.ret).map_err(message),
                case
            ),
        }
        let refreshed = *runner.updates.lock().unwrap() > 0;
        assert_eq!(
            refreshed,
            case["refreshed"].as_bool().unwrap(),
            "refresh of {what}"
        );
        let mut files = BTreeMap::new();
        tree(root, root, &mut files);
        let want: BTreeMap<String, String> = case["files"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
            .collect();
        assert_eq!(files, want, "files after {what}");
    }
}
