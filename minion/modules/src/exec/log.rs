//! `log.*` (Salt's logmod): write a message to the minion log at a level
//! and return True, so `{% do salt['log.info']('...') %}` works in templates.

use halite_api::{ExecCall, ExecSpec};

use super::{ok, required_str, ExecResult};

pub const SPECS: &[ExecSpec] = &[
    ExecSpec {
        name: "log.debug",
        doc: "Log message at level DEBUG.",
        run: debug,
    },
    ExecSpec {
        name: "log.info",
        doc: "Log message at level INFO.",
        run: info,
    },
    ExecSpec {
        name: "log.warning",
        doc: "Log message at level WARNING.",
        run: warning,
    },
    ExecSpec {
        name: "log.error",
        doc: "Log message at level ERROR.",
        run: error,
    },
    ExecSpec {
        name: "log.critical",
        doc: "Log message at level CRITICAL.",
        run: critical,
    },
    ExecSpec {
        name: "log.exception",
        doc: "Log message at level EXCEPTION.",
        run: error,
    },
];

/// The one `message` argument of `level()` (Python's TypeError text otherwise).
fn message(call: &ExecCall<'_>, level: &str) -> Result<String, halite_api::ExecError> {
    if call.args.len() > 1 {
        return Err(halite_api::ExecError::Invocation(format!(
            "{level}() takes 1 positional argument but {} were given",
            call.args.len()
        )));
    }
    super::reject_unknown_kwargs(call, &["message"])?;
    required_str(call, 0, "message")
}

fn debug(call: &ExecCall<'_>) -> ExecResult {
    tracing::debug!(target: "salt.loaded.int.module.logmod", "{}", message(call, "debug")?);
    ok(true)
}

fn info(call: &ExecCall<'_>) -> ExecResult {
    tracing::info!(target: "salt.loaded.int.module.logmod", "{}", message(call, "info")?);
    ok(true)
}

fn warning(call: &ExecCall<'_>) -> ExecResult {
    tracing::warn!(target: "salt.loaded.int.module.logmod", "{}", message(call, "warning")?);
    ok(true)
}

fn error(call: &ExecCall<'_>) -> ExecResult {
    tracing::error!(target: "salt.loaded.int.module.logmod", "{}", message(call, "error")?);
    ok(true)
}

fn critical(call: &ExecCall<'_>) -> ExecResult {
    tracing::error!(target: "salt.loaded.int.module.logmod", "CRITICAL {}", message(call, "critical")?);
    ok(true)
}
