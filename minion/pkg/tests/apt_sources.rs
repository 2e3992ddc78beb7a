//! The apt repo functions (`pkg.list_repos`, `get_repo`, `mod_repo`,
//! `del_repo`) on a sample apt config (`data/fixture.sh`: `sources.list`
//! with options, comments, a disabled line; a `.list` file; two deb822
//! `.sources` files), against `data/apt_sources_salt.json`: the returns,
//! errors, refreshes and resulting files of Salt 3008.4's own aptpkg run
//! on the same fixture (`data/gen.py`: its `SourcesList` paths pointed at
//! the scratch root, `refresh_db` recorded instead of run):
//!
//! ```sh
//! .venv/salt-3008.4/bin/python3 minion/pkg/tests/data/gen.py CASES.jsonl \
//!     minion/pkg/tests/data/fixture.sh > minion/pkg/tests/data/apt_sources_salt.json
//! ```
//! salt-call itself can only act on `/etc/apt` (the paths are fixed in
//! `salt.utils.pkg.deb`); Halite takes the root from `pkgrepo_apt_root`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use halite_api::{
    CmdOutput, CmdSpec, CommandRunner, Ctx, ExecCall, ExecError, Registry, RunError, Value,
};
use serde_json::json;

const RECORDED: &str = include_str!("data/apt_sources_salt.json");

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
    let mut reg = Registry::new();
    halite_pkg::register(&mut reg);
    let opts = json!({"id": "n1", "cachedir": root.join("cache"), "pkgrepo_apt_root": root,
                      "ostree_sysroot": root.join("no-ostree")});
    Ctx {
        opts: Arc::new(opts.as_object().unwrap().clone()),
        grains: Arc::new(json!({"os_family": "Debian", "os": "Debian", "osarch": "amd64"})),
        pillar: Arc::new(json!({})),
        saltenv: "base".into(),
        test: false,
        runner,
        files: Arc::new(halite_api::NoFiles),
        templates: Arc::new(halite_api::VerbatimTemplates),
        registry: Arc::new(reg),
        context: Default::default(),
        master: None,
    }
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
