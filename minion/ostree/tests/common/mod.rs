//! Shared test support: the recording fake on a private PATH, a context
//! over it, and the shared fixtures.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use halite_api::{
    CmdOutput, CmdSpec, CommandRunner, Ctx, Registry, RunError, StateReturn, SystemRunner, Value,
};
use serde_json::json;

/// `../shared` beside the repository (or `$HALITE_SHARED`).
pub fn shared() -> PathBuf {
    std::env::var("HALITE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
}

pub fn fixture(rel: &str) -> String {
    let p = shared().join("fixtures").join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("fixture {}: {e}", p.display()))
}

/// A fixture as JSON (YAML fixtures converted).
pub fn fixture_json(rel: &str) -> Value {
    let text = fixture(rel);
    if rel.ends_with(".json") {
        serde_json::from_str(&text).unwrap()
    } else {
        // bootc's YAML writes enum variants as tags (`!ostreeRemote "x"`);
        // its JSON writes `{"ostreeRemote": "x"}`: convert before loading.
        let tagged = regex::Regex::new(r#"!(\w+) (.+)$"#).unwrap();
        let text: Vec<String> = text
            .lines()
            .map(|l| tagged.replace(l, "{$1: $2}").into_owned())
            .collect();
        halite_render::yaml::load(&text.join("\n")).unwrap()
    }
}

/// Runs commands with a bin directory first on PATH: `argv[0]` found there
/// is run from there (the recording fake), anything else from the host.
pub struct PathRunner {
    pub bin: PathBuf,
    /// The fake's state directory (`FAKE_OSTREE_DIR` of each call).
    pub state: PathBuf,
}

impl CommandRunner for PathRunner {
    fn run(&self, spec: &CmdSpec) -> Result<CmdOutput, RunError> {
        let mut spec = spec.clone();
        let local = self.bin.join(&spec.argv[0]);
        if local.exists() {
            spec.argv[0] = local.to_string_lossy().into_owned();
        }
        spec.env
            .insert("FAKE_OSTREE_DIR".into(), path_str(&self.state));
        SystemRunner.run(&spec)
    }
}

/// A scratch host: the fake's state directory and bin directory.
pub struct FakeHost {
    pub dir: tempfile::TempDir,
}

impl FakeHost {
    /// Seed `status.json` from an rpm-ostree fixture and `scenario.json`.
    pub fn new(status_fixture: &str, scenario: Value) -> FakeHost {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let fake = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fake/recording-fake.py");
        for tool in ["rpm-ostree", "bootc", "systemctl"] {
            std::os::unix::fs::symlink(&fake, bin.join(tool)).unwrap();
        }
        let host = FakeHost { dir };
        host.write("status.json", &fixture_json(status_fixture));
        host.write("scenario.json", &scenario);
        host
    }

    pub fn with_bootc(self, bootc_fixture: &str) -> FakeHost {
        self.write("bootc.json", &fixture_json(bootc_fixture));
        self
    }

    pub fn write(&self, name: &str, v: &Value) {
        std::fs::write(
            self.dir.path().join(name),
            serde_json::to_vec_pretty(v).unwrap(),
        )
        .unwrap();
    }

    pub fn read(&self, name: &str) -> Value {
        serde_json::from_slice(&std::fs::read(self.dir.path().join(name)).unwrap()).unwrap()
    }

    pub fn bin(&self) -> PathBuf {
        self.dir.path().join("bin")
    }

    /// Every logged command line, space-joined.
    pub fn argv_log(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("argv.log"))
            .unwrap_or_default()
            .lines()
            .map(|l| {
                let v: Vec<String> = serde_json::from_str(l).unwrap();
                v.join(" ")
            })
            .collect()
    }

    /// Logged commands that are not read-only.
    pub fn mutating(&self) -> Vec<String> {
        self.argv_log()
            .into_iter()
            .filter(|c| !is_read_only(c))
            .collect()
    }

    pub fn clear_log(&self) {
        let _ = std::fs::remove_file(self.dir.path().join("argv.log"));
    }

    pub fn ctx(&self) -> Ctx {
        ctx_with(Arc::new(self.runner()), json!({}))
    }

    pub fn runner(&self) -> PathRunner {
        PathRunner {
            bin: self.bin(),
            state: self.dir.path().to_path_buf(),
        }
    }
}

pub fn is_read_only(cmd: &str) -> bool {
    cmd == "rpm-ostree status --json"
        || cmd == "rpm-ostree kargs"
        || cmd == "rpm-ostree upgrade --check"
        || cmd == "bootc status --json"
}

/// A context with this crate's functions over `runner`; `opts` merged in.
pub fn ctx_with(runner: Arc<dyn CommandRunner>, opts: Value) -> Ctx {
    let mut reg = Registry::new();
    halite_ostree::register(&mut reg);
    let mut o = json!({"id": "node1"}).as_object().unwrap().clone();
    o.extend(opts.as_object().cloned().unwrap_or_default());
    Ctx {
        opts: Arc::new(o),
        grains: Arc::new(json!({})),
        pillar: Arc::new(json!({})),
        saltenv: "base".into(),
        test: false,
        runner,
        files: Arc::new(halite_api::NoFiles),
        templates: Arc::new(halite_api::VerbatimTemplates),
        registry: Arc::new(reg),
        context: Default::default(),
        master: None,
        net: std::sync::Arc::new(halite_api::NoNetwork),
    }
}

/// Run a state function with `args` (including `name`).
pub fn state(ctx: &Ctx, fun: &str, args: Value, test: bool) -> StateReturn {
    let spec = *ctx.registry.state(fun).unwrap();
    let args = args.as_object().unwrap().clone();
    let name = args["name"].as_str().unwrap().to_string();
    (spec.run)(&halite_api::StateCall {
        ctx,
        name,
        args,
        test,
    })
}

pub fn path_str(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}
