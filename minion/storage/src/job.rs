//! The whole c-s-s job for one call: settings from the sysconfig file and
//! the arguments, facts, the two-phase plan, and (unless testing) the run.

use halite_api::{Ctx, Map, Value};

use crate::apply;
use crate::config::{Driver, RawSettings};
use crate::host;
use crate::lvm::Lvm;
use crate::plan::{self, Paths};

pub use crate::config::CssConfig;

pub const CONFIG_FILE: &str = "/etc/sysconfig/docker-storage-setup";

/// What a job did or would do.
#[derive(Debug)]
pub enum Outcome {
    /// Nothing to change.
    Converged { cfg: CssConfig },
    /// Test mode: the steps a run would take.
    Planned { cfg: CssConfig, steps: Vec<String> },
    /// Every step ran.
    Applied { cfg: CssConfig, done: Vec<String> },
    /// Refused before touching anything, or a step failed after `done`.
    Failed { done: Vec<String>, message: String },
}

fn path_arg(args: &Map, key: &str, default: Option<&str>) -> Option<String> {
    match args.get(key) {
        None => default.map(str::to_string),
        Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(v) => Some(halite_api::module::value_to_arg_string(v)),
    }
}

/// Settings and paths from the arguments (and the sysconfig file they name).
pub fn load(args: &Map) -> Result<(CssConfig, Paths), String> {
    let config_file = path_arg(args, "config_file", Some(CONFIG_FILE));
    let mut raw = RawSettings::default();
    let mut from_file = false;
    if let Some(path) = &config_file {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                raw.merge_file(path, &text);
                from_file = true;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("{path}: {e}")),
        }
    }
    raw.merge_args(args);
    // c-s-s's shipped default is devicemapper; a node without a sysconfig
    // file is a new node, and new nodes get overlay2.
    let default_driver = if from_file {
        Driver::Devicemapper
    } else {
        Driver::Overlay2
    };
    let cfg = raw.validate(default_driver).map_err(|e| e.to_string())?;
    let d = Paths::default();
    let paths = Paths {
        output_file: path_arg(args, "output_file", d.output_file.as_deref()),
        fstab: path_arg(args, "fstab", Some(&d.fstab)).unwrap_or(d.fstab),
        docker_root: path_arg(args, "docker_root_dir", Some(&d.docker_root))
            .unwrap_or(d.docker_root),
        daemon_json: path_arg(args, "daemon_json", None),
        storage_conf: path_arg(args, "storage_conf", None),
    };
    Ok((cfg, paths))
}

/// Run (or, with `test`, plan) the job.
pub fn run(ctx: &Ctx, args: &Map, test: bool) -> Outcome {
    let fail = |message: String| Outcome::Failed {
        done: Vec::new(),
        message,
    };
    let (cfg, paths) = match load(args) {
        Ok(v) => v,
        Err(e) => return fail(e),
    };
    let lvm = Lvm::for_ctx(ctx);
    let dm_present = ctx
        .opt("lvm_driverloaded")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let runner = ctx.runner.as_ref();
    let facts = match host::gather(runner, &lvm, &cfg, &paths, dm_present) {
        Ok(f) => f,
        Err(e) => return fail(e),
    };
    let disks = match plan::disks(&cfg, &facts) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    // Plan the whole job against the predicted VG first, so that a refusal
    // (bad size, no space, foreign data) comes before any disk is touched.
    let after = match plan::target_vg(&cfg, &facts) {
        Some(vg) => facts.with_new_pvs(&vg, &disks.new_pvs),
        None => facts.clone(),
    };
    let predicted = match plan::storage(&cfg, &paths, &after) {
        Ok(rest) => rest,
        Err(e) => return fail(e),
    };
    let nothing_to_do =
        plan::changes(&disks.steps).is_empty() && plan::changes(&predicted).is_empty();
    if test {
        if let Err(f) = apply::run_checks(&predicted, runner, &lvm) {
            return fail(f.message);
        }
        if nothing_to_do {
            return Outcome::Converged { cfg };
        }
        let steps = disks
            .steps
            .iter()
            .chain(predicted.iter())
            .map(ToString::to_string)
            .collect();
        return Outcome::Planned { cfg, steps };
    }
    let mut done = match apply::run(&disks.steps, runner, &lvm) {
        Ok(d) => d,
        Err(f) => {
            return Outcome::Failed {
                done: f.done,
                message: f.message,
            }
        }
    };
    let facts = if disks.steps.is_empty() {
        facts
    } else {
        match host::gather(runner, &lvm, &cfg, &paths, dm_present) {
            Ok(f) => f,
            Err(e) => return Outcome::Failed { done, message: e },
        }
    };
    let rest = match plan::storage(&cfg, &paths, &facts) {
        Ok(s) => s,
        Err(e) => return Outcome::Failed { done, message: e },
    };
    match apply::run(&rest, runner, &lvm) {
        Ok(more) => done.extend(more),
        Err(f) => {
            done.extend(f.done);
            return Outcome::Failed {
                done,
                message: f.message,
            };
        }
    }
    if plan::changes(&disks.steps).is_empty() && plan::changes(&rest).is_empty() {
        Outcome::Converged { cfg }
    } else {
        Outcome::Applied { cfg, done }
    }
}
