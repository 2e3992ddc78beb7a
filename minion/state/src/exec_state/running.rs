//! `state.running` and Salt's `_check_queue` conflict check, as in
//! `salt/modules/state.py`: the running `state.*` jobs come from
//! `saltutil.is_running("state.*")` (the proc files under `cachedir/proc`,
//! without the calling job's own), and each one becomes
//! `The function "<fun>" is running as PID <pid> and was started at <time>
//! with jid <jid>`. Salt applies no start-order rule here: every other state
//! job conflicts (the jid ordering of `_prior_running_states` only concerns
//! `queue=True` placeholders).

use halite_api::value::is_truthy;
use halite_api::{Ctx, ExecCall, ExecError, ExecOutput, Map, Value};

/// Salt's `EX_STATE_COMPILER_ERROR`: the retcode of a refused state run.
pub const EX_STATE_COMPILER_ERROR: i32 = 1;

/// `state.running [concurrent]`.
pub fn running(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let concurrent = call.arg(0, "concurrent").is_some_and(is_truthy);
    let conflicts = running_states(call.ctx, concurrent)?;
    Ok(ExecOutput {
        ret: Value::Array(conflicts.into_iter().map(Value::String).collect()),
        retcode: 0,
    })
}

/// Salt's `state.running(concurrent)`: one message per other running state job.
pub fn running_states(ctx: &Ctx, concurrent: bool) -> Result<Vec<String>, ExecError> {
    if concurrent {
        return Ok(Vec::new());
    }
    // A missing saltutil.is_running must not read as "state.running is not
    // available" to the caller, so it becomes a failure naming the function.
    let active = ctx
        .call(
            "saltutil.is_running",
            vec![Value::from("state.*")],
            Map::new(),
        )
        .map_err(|e| match e {
            ExecError::NotAvailable(_) => ExecError::Failed(e.to_string()),
            other => other,
        })?
        .ret;
    let own_jid = ctx.opts.get("jid").and_then(jid_number);
    let Value::Array(jobs) = active else {
        return Ok(Vec::new());
    };
    Ok(jobs
        .iter()
        .filter_map(Value::as_object)
        .filter(|job| own_jid.is_none() || job.get("jid").and_then(jid_number) != own_jid)
        .map(conflict_message)
        .collect())
}

/// Salt's `_check_queue(queue, kwargs)` for a state function about to run:
/// `Some(refusal)` when another state job runs (unless `concurrent=True`).
/// `queue` (the argument, else the `state_queue` option) is not implemented:
/// a queued run is checked like an unqueued one.
pub fn check_queue(ctx: &Ctx, kwargs: &Map) -> Result<Option<ExecOutput>, ExecError> {
    let concurrent = kwargs.get("concurrent").is_some_and(is_truthy);
    let conflicts = running_states(ctx, concurrent)?;
    if conflicts.is_empty() {
        return Ok(None);
    }
    Ok(Some(ExecOutput {
        ret: Value::Array(conflicts.into_iter().map(Value::String).collect()),
        retcode: EX_STATE_COMPILER_ERROR,
    }))
}

fn conflict_message(job: &Map) -> String {
    let jid = job.get("jid").map(py_text).unwrap_or_default();
    format!(
        "The function \"{}\" is running as PID {} and was started at {} with jid {}",
        job.get("fun").map(py_text).unwrap_or_default(),
        job.get("pid").map(py_text).unwrap_or_default(),
        jid_to_time(&jid),
        jid
    )
}

/// `str()` of a scalar as Python prints it inside `format`.
fn py_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "None".into(),
        other => other.to_string(),
    }
}

/// Salt compares jids with `int(a) == int(b)`; non-numeric jids never match.
fn jid_number(v: &Value) -> Option<u128> {
    match v {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_u64().map(u128::from),
        _ => None,
    }
}

/// Salt's `salt.utils.jid.jid_to_time`: `2024, Feb 29 12:34:56.789012`, or ""
/// for a jid that is not 20 digits (optionally followed by `_suffix`).
pub fn jid_to_time(jid: &str) -> String {
    const MONTHS: [&str; 13] = [
        "", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let bytes = jid.as_bytes();
    let well_formed = bytes.len() == 20 || (bytes.len() > 21 && bytes[20] == b'_');
    let Some(d) = jid.get(..20).filter(|_| well_formed) else {
        return String::new();
    };
    let month = d[4..6]
        .parse::<usize>()
        .ok()
        .and_then(|m| MONTHS.get(m))
        .copied()
        .unwrap_or("");
    format!(
        "{}, {} {} {}:{}:{}.{}",
        &d[..4],
        month,
        &d[6..8],
        &d[8..10],
        &d[10..12],
        &d[12..14],
        &d[14..20]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use halite_api::{ExecSpec, Registry};
    use serde_json::json;
    use std::sync::Arc;

    fn two_jobs(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
        assert_eq!(call.arg_str(0, "fun").as_deref(), Some("state.*"));
        Ok(json!([
            {"pid": 4242, "fun": "state.highstate", "jid": "20240229123456789012"},
            {"pid": 4243, "fun": "state.sls", "jid": "20240229123456789099"}
        ])
        .into())
    }

    fn ctx_with(jid: Option<&str>, is_running: bool) -> Ctx {
        let mut reg = Registry::new();
        if is_running {
            reg.add_exec(&[ExecSpec {
                name: "saltutil.is_running",
                doc: "",
                run: two_jobs,
            }]);
        }
        crate::exec_state::register(&mut reg);
        let opts = match jid {
            Some(jid) => json!({ "jid": jid }),
            None => json!({}),
        };
        let mut ctx = crate::testutil::ctx(false, opts);
        ctx.registry = Arc::new(reg);
        ctx
    }

    const FIRST: &str = "The function \"state.highstate\" is running as PID 4242 and was started at 2024, Feb 29 12:34:56.789012 with jid 20240229123456789012";
    const SECOND: &str = "The function \"state.sls\" is running as PID 4243 and was started at 2024, Feb 29 12:34:56.789099 with jid 20240229123456789099";

    #[test]
    fn lists_every_running_state_job_with_salts_message() {
        let ctx = ctx_with(None, true);
        let out = ctx.call("state.running", vec![], Map::new()).unwrap();
        assert_eq!(out.ret, json!([FIRST, SECOND]));
        assert_eq!(out.retcode, 0);
    }

    #[test]
    fn the_callers_own_jid_and_concurrent_are_skipped() {
        let ctx = ctx_with(Some("20240229123456789099"), true);
        assert_eq!(running_states(&ctx, false).unwrap(), vec![FIRST]);
        assert!(running_states(&ctx, true).unwrap().is_empty());
        let out = ctx.call("state.running", vec![json!(true)], Map::new());
        assert_eq!(out.unwrap().ret, json!([]));
    }

    #[test]
    fn check_queue_refuses_with_retcode_1_unless_concurrent() {
        let ctx = ctx_with(None, true);
        let refused = check_queue(&ctx, &Map::new()).unwrap().unwrap();
        assert_eq!(refused.ret, json!([FIRST, SECOND]));
        assert_eq!(refused.retcode, EX_STATE_COMPILER_ERROR);
        let concurrent = json!({"concurrent": true}).as_object().unwrap().clone();
        assert!(check_queue(&ctx, &concurrent).unwrap().is_none());
    }

    #[test]
    fn without_saltutil_is_running_the_error_is_salts_missing_function() {
        let ctx = ctx_with(None, false);
        let err = running_states(&ctx, false).unwrap_err();
        assert_eq!(
            err,
            ExecError::Failed("'saltutil.is_running' is not available.".into())
        );
    }

    #[test]
    fn jid_times() {
        assert_eq!(
            jid_to_time("20240229123456789012"),
            "2024, Feb 29 12:34:56.789012"
        );
        assert_eq!(
            jid_to_time("20240229123456789012_1"),
            "2024, Feb 29 12:34:56.789012"
        );
        assert_eq!(jid_to_time("req"), "");
        assert_eq!(jid_to_time("20240229123456789012x"), "");
    }
}
