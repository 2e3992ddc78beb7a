//! Execution functions `docker_storage.usage` (how full the pool or overlay
//! root is, with autoextend settings) and `docker_storage.plan` (the steps
//! `docker_storage.configured` would take, same arguments, nothing changed).

use halite_api::{ExecCall, ExecError, ExecOutput, ExecSpec, Value};
use serde_json::json;

use crate::job::{self, Outcome};
use crate::lvm::Lvm;
use crate::usage;

pub const FUNCTIONS: &[ExecSpec] = &[
    ExecSpec {
        name: "docker_storage.usage",
        doc: "Data/metadata use of the thin pool (or the overlay root), autoextend settings, alert above warn_percent.",
        run: usage_fn,
    },
    ExecSpec {
        name: "docker_storage.plan",
        doc: "The steps docker_storage.configured would run with these arguments (changes nothing).",
        run: plan_fn,
    },
];

fn usage_fn(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let lvm = Lvm::for_ctx(call.ctx);
    let warn = call
        .kwargs
        .get("warn_percent")
        .and_then(|v| {
            v.as_f64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        })
        .unwrap_or(usage::DEFAULT_WARN_PERCENT);
    let kw = |k: &str| {
        call.kwargs
            .get(k)
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let result = match (kw("vg"), kw("thinpool")) {
        (Some(vg), pool) => usage::pool(&lvm, &vg, pool.as_deref().unwrap_or("docker-pool"), warn),
        (None, _) => {
            let output =
                kw("output_file").unwrap_or_else(|| "/etc/sysconfig/docker-storage".into());
            let root = kw("path").unwrap_or_else(|| "/var/lib/docker".into());
            usage::configured(&lvm, &output, &root, warn)
                .unwrap_or_else(|| Err(format!("No container storage is configured ({output} names none); pass vg= and thinpool=")))
        }
    };
    result.map(Into::into).map_err(ExecError::Failed)
}

fn plan_fn(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    match job::run(call.ctx, &call.kwargs, true) {
        Outcome::Converged { .. } => Ok(json!({"changes": false, "steps": []}).into()),
        Outcome::Planned { steps, .. } => Ok(json!({"changes": true, "steps": steps}).into()),
        Outcome::Applied { .. } => Err(ExecError::Failed("plan applied changes (bug)".into())),
        Outcome::Failed { message, .. } => Err(ExecError::Failed(message)),
    }
}
