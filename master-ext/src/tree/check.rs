//! Check a generated tree the way the nodes will see it: for every node of
//! the inventory, compile its pillar and render and compile its highstate
//! with Halite's own engine (the minion crates, not a second
//! implementation), over the staged files and the grains the inventory
//! gives it. Commands are never run on the controller: a template that
//! calls one fails the check.

use std::path::Path;
use std::sync::{Arc, Mutex};

use halite_api::{CmdOutput, CmdSpec, CommandRunner, Ctx, FileClient, Map, RunError, Value};
use halite_state::LocalFileClient;
use serde_json::json;

use crate::inventory::Inventory;

/// One node's tree does not render.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeFailure {
    pub node: String,
    pub errors: Vec<String>,
}

/// Render every node's highstate from the tree in `dir` (`salt/`, `pillar/`),
/// `workers` at once; `progress` is called after each node.
pub fn check_tree(
    inv: &Inventory,
    dir: &Path,
    workers: usize,
    progress: &(dyn Fn(&str) + Sync),
) -> Vec<NodeFailure> {
    let registry = Arc::new(halite::call::context::registry());
    let nodes: Vec<_> = inv.nodes().collect();
    let next = Mutex::new(0usize);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..workers.max(1) {
            s.spawn(|| loop {
                let i = {
                    let mut n = next.lock().unwrap_or_else(|e| e.into_inner());
                    *n += 1;
                    *n - 1
                };
                let Some((rack, node)) = nodes.get(i) else {
                    break;
                };
                let grains = inv.grains_of(rack, node);
                let errors = render_node(&node.name, grains, dir, Arc::clone(&registry));
                if !errors.is_empty() {
                    let mut f = failures.lock().unwrap_or_else(|e| e.into_inner());
                    f.push((
                        i,
                        NodeFailure {
                            node: node.name.clone(),
                            errors,
                        },
                    ));
                }
                progress(&node.name);
            });
        }
    });
    let mut out = failures.into_inner().unwrap_or_else(|e| e.into_inner());
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, f)| f).collect()
}

/// The errors of one node's render (empty: it compiles).
pub fn render_node(
    id: &str,
    grains: Value,
    dir: &Path,
    registry: Arc<halite_api::Registry>,
) -> Vec<String> {
    let opts = json!({
        "id": id,
        "file_client": "local",
        "file_roots": {"base": [dir.join("salt")]},
        "pillar_roots": {"base": [dir.join("pillar")]},
        "state_top": "top.sls",
        "test": true,
    });
    let opts: Map = opts.as_object().cloned().unwrap_or_default();
    let files: Arc<dyn FileClient> = Arc::new(LocalFileClient::for_file_roots(&opts));
    let mut ctx = Ctx {
        files,
        opts: Arc::new(opts),
        grains: Arc::new(grains),
        pillar: Arc::new(Value::Object(Map::new())),
        saltenv: "base".into(),
        test: true,
        runner: Arc::new(NoCommands),
        templates: Arc::new(halite_render::Renderer),
        registry,
        context: Default::default(),
        master: None,
        net: std::sync::Arc::new(halite_api::NoNetwork),
    };
    let pillar_files = LocalFileClient::for_pillar_roots(&ctx.opts);
    let empty = Value::Object(Map::new());
    match halite_state::pillar::compile_pillar(&ctx, &pillar_files, &empty, None) {
        Ok(p) => ctx.pillar = Arc::new(p),
        Err(errors) => return errors.into_iter().map(|e| format!("pillar: {e}")).collect(),
    }
    let matches = match halite_state::engine::highstate_matches(&ctx, "top.sls", None) {
        Ok(m) => m,
        Err(e) => return vec![format!("top.sls: {e}")],
    };
    if matches.is_empty() {
        return vec!["top.sls: no states match this node".into()];
    }
    let low = halite_state::engine::show_low(&ctx, &matches, &[]);
    if low.retcode == 0 {
        return Vec::new();
    }
    match low.ret {
        Value::Array(errs) => errs
            .iter()
            .map(|e| e.as_str().map_or_else(|| e.to_string(), str::to_string))
            .collect(),
        other => vec![other.to_string()],
    }
}

/// The controller renders without touching its own host.
struct NoCommands;

impl CommandRunner for NoCommands {
    fn run(&self, spec: &CmdSpec) -> Result<CmdOutput, RunError> {
        Err(RunError::Spawn {
            cmd: spec.argv.join(" "),
            source: std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                "halite-ctl renders without running commands on the controller",
            ),
        })
    }
}
