//! Test doubles: a scripted command runner, a directory-backed file client,
//! a tiny template renderer, a recording master and a context builder.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use halite_api::files::check_relative;
use halite_api::{
    CmdOutput, CmdSpec, CommandRunner, Ctx, FileClient, FileError, Map, MasterChannel, MasterError,
    Registry, RunError, TemplateRenderer, Value,
};
use serde_json::json;

/// Answers commands from rules (first rule whose pattern is contained in the
/// space-joined argv wins; default: exit 0, no output) and records every call.
#[derive(Default)]
pub struct FakeRunner {
    rules: Mutex<Vec<(String, CmdOutput)>>,
    pub calls: Mutex<Vec<CmdSpec>>,
}

impl FakeRunner {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }
    pub fn on(&self, pattern: &str, retcode: i32, stdout: &str) {
        let out = CmdOutput {
            pid: 4242,
            retcode,
            stdout: stdout.as_bytes().to_vec(),
            ..Default::default()
        };
        self.rules.lock().unwrap().push((pattern.into(), out));
    }
    /// A rule answering with `stderr` (and no stdout).
    pub fn on_stderr(&self, pattern: &str, retcode: i32, stderr: &str) {
        let out = CmdOutput {
            pid: 4242,
            retcode,
            stderr: stderr.as_bytes().to_vec(),
            ..Default::default()
        };
        self.rules.lock().unwrap().push((pattern.into(), out));
    }
    pub fn commands(&self) -> Vec<String> {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .map(|c| c.argv.join(" "))
            .collect()
    }
}

impl CommandRunner for FakeRunner {
    fn run(&self, spec: &CmdSpec) -> Result<CmdOutput, RunError> {
        self.calls.lock().unwrap().push(spec.clone());
        let line = spec.argv.join(" ");
        let rules = self.rules.lock().unwrap();
        Ok(rules
            .iter()
            .find(|(p, _)| line.contains(p.as_str()))
            .map(|(_, o)| o.clone())
            .unwrap_or(CmdOutput {
                pid: 4242,
                ..Default::default()
            }))
    }
}

/// A file client serving `root/<path>` for every saltenv.
pub struct DirFiles(pub PathBuf);

impl FileClient for DirFiles {
    fn cache_file(&self, path: &str, _saltenv: &str) -> Result<Option<PathBuf>, FileError> {
        check_relative(path)?;
        let p = self.0.join(path);
        Ok(p.is_file().then_some(p))
    }
    fn list_files(&self, _saltenv: &str) -> Result<Vec<String>, FileError> {
        Ok(walk(&self.0, false))
    }
    fn list_dirs(&self, _saltenv: &str) -> Result<Vec<String>, FileError> {
        Ok(walk(&self.0, true))
    }
    fn envs(&self) -> Result<Vec<String>, FileError> {
        Ok(vec!["base".into()])
    }
}

fn walk(root: &Path, dirs: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            if p.is_dir() {
                stack.push(p);
                if dirs {
                    out.push(rel);
                }
            } else if !dirs {
                out.push(rel);
            }
        }
    }
    out.sort();
    out
}

/// Replaces `{{ key }}` with context values; `{{ fail }}` is a render error.
pub struct SimpleTemplates;

impl TemplateRenderer for SimpleTemplates {
    fn render_template(
        &self,
        _ctx: &Ctx,
        engine: &str,
        text: &str,
        context: &Map,
        source: &str,
    ) -> Result<String, String> {
        if engine != "jinja" {
            return Err(format!("unknown engine {engine}"));
        }
        if text.contains("{{ fail }}") {
            return Err(format!(
                "Jinja variable 'fail' is undefined; line 1 in {source}"
            ));
        }
        let mut out = text.to_string();
        for (k, v) in context {
            let s = v
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v.to_string());
            out = out.replace(&format!("{{{{ {k} }}}}"), &s);
        }
        Ok(out)
    }
}

/// A scratch directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!("halite-mod-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    pub fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }
    pub fn s(&self, rel: &str) -> String {
        self.path(rel).to_string_lossy().into_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A context with every built-in module, the given runner and file root.
pub fn ctx_with(runner: Arc<dyn CommandRunner>, file_root: &Path) -> Ctx {
    let mut reg = Registry::new();
    crate::register(&mut reg);
    let opts = json!({"id": "minion1", "cachedir": file_root.join("cache").to_string_lossy(), "conf_file": file_root.join("conf/minion").to_string_lossy(), "file_roots": {"base": ["/srv/salt"]}, "test": false});
    Ctx {
        opts: Arc::new(opts.as_object().unwrap().clone()),
        grains: Arc::new(
            json!({"id": "minion1", "os": "Debian", "shell": "/bin/sh", "roles": ["web", "db"], "num_cpus": 2}),
        ),
        pillar: Arc::new(
            json!({"app": {"owner": "alice", "ports": [80, 443]}, "motd": "hello", "users": [{"name": "a"}]}),
        ),
        saltenv: "base".into(),
        test: false,
        runner,
        files: Arc::new(DirFiles(file_root.join("salt"))),
        templates: Arc::new(SimpleTemplates),
        registry: Arc::new(reg),
        context: Default::default(),
        master: None,
        net: std::sync::Arc::new(halite_api::NoNetwork),
    }
}

/// Run a state function by name with `args` (a JSON object including `name`).
pub fn run_state(ctx: &Ctx, fun: &str, args: Value, test: bool) -> halite_api::StateReturn {
    let spec = *ctx
        .registry
        .state(fun)
        .unwrap_or_else(|| panic!("no state {fun}"));
    let args = args.as_object().unwrap().clone();
    let name = args
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    (spec.run)(&halite_api::StateCall {
        ctx,
        name,
        args,
        test,
    })
}

/// The changes map as a JSON value (for `assert_eq!` against `json!`).
pub fn changes(r: &halite_api::StateReturn) -> Value {
    Value::Object(r.changes.clone())
}

/// A master that records each load and answers from a script.
pub struct RecordingMaster {
    pub loads: Mutex<Vec<Map>>,
    reply: Result<Value, MasterError>,
}

impl MasterChannel for RecordingMaster {
    fn request(&self, load: Map) -> Result<Value, MasterError> {
        self.loads.lock().unwrap().push(load);
        self.reply.clone()
    }
}

/// A context (file root `root`) whose master is a [`RecordingMaster`].
pub fn through_master(
    reply: Result<Value, MasterError>,
    root: &Path,
) -> (Ctx, Arc<RecordingMaster>) {
    let master = Arc::new(RecordingMaster {
        loads: Mutex::new(vec![]),
        reply,
    });
    let mut ctx = ctx_with(FakeRunner::new(), root);
    ctx.master = Some(master.clone());
    (ctx, master)
}

/// Call exec function `fun` with JSON `args` (a list) and `kwargs` (an
/// object); its return, panicking on an error.
pub fn call_exec(ctx: &Ctx, fun: &str, args: Value, kwargs: Value) -> Value {
    let args = args.as_array().unwrap().clone();
    ctx.call(fun, args, kwargs.as_object().unwrap().clone())
        .unwrap_or_else(|e| panic!("{fun}: {e}"))
        .ret
}

/// `ctx` with the keys of the JSON object `extra` added to its opts.
pub fn with_opts(mut ctx: Ctx, extra: Value) -> Ctx {
    let mut opts = (*ctx.opts).clone();
    opts.extend(extra.as_object().unwrap().clone());
    ctx.opts = Arc::new(opts);
    ctx
}
