//! Salt's "a state run is already running" refusal (`state._check_queue` →
//! `state.running`): a state function started while another `state.*` job is
//! in flight answers with the list of conflicting jobs and retcode 1, unless
//! called with `concurrent=True`. Only earlier jobs count, so of two runs
//! published at once the later one is refused. The daemon checks it because it owns the
//! proc files that say what is running.

use halite_api::{Map, Value};

use crate::proc::ProcDir;

/// `state.*` functions that call `_check_queue` in Salt 3008.
const GUARDED: &[&str] = &[
    "low",
    "high",
    "template",
    "template_str",
    "highstate",
    "apply",
    "sls",
    "top",
    "show_highstate",
    "show_lowstate",
    "show_state_usage",
    "show_states",
    "sls_id",
    "show_low_sls",
    "show_sls",
    "show_top",
    "single",
];

/// Salt's `EX_STATE_COMPILER_ERROR`.
pub const EX_STATE_COMPILER_ERROR: i32 = 1;

/// Whether `fun` is subject to the guard.
pub fn is_guarded(fun: &str) -> bool {
    fun.strip_prefix("state.")
        .is_some_and(|f| GUARDED.contains(&f))
}

/// The conflict messages for a state run of job `own_jid`; empty when it may run.
pub fn conflicts(procs: &ProcDir, own_jid: Option<&str>, kwargs: &Map) -> Vec<String> {
    if kwargs
        .get("concurrent")
        .is_some_and(halite_api::value::is_truthy)
    {
        return Vec::new();
    }
    procs
        .all()
        .iter()
        .filter(|d| {
            d.get("fun")
                .and_then(Value::as_str)
                .is_some_and(|f| f.starts_with("state."))
        })
        .filter(|d| {
            started_before(
                d.get("jid").and_then(Value::as_str).unwrap_or_default(),
                own_jid,
            )
        })
        .map(|d| {
            let jid = d.get("jid").and_then(Value::as_str).unwrap_or_default();
            format!(
                "The function \"{}\" is running as PID {} and was started at {} with jid {}",
                d.get("fun").and_then(Value::as_str).unwrap_or_default(),
                d.get("pid").map(Value::to_string).unwrap_or_default(),
                jid_to_time(jid),
                jid
            )
        })
        .collect()
}

/// Only jobs that started earlier conflict (Salt's `_prior_running_states`
/// rule), so two runs published together do not refuse each other: the later
/// jid yields. Jids that are not both 20-digit numbers always conflict.
fn started_before(other: &str, own: Option<&str>) -> bool {
    let Some(own) = own else {
        return true;
    };
    let numeric = |j: &str| j.len() == 20 && j.bytes().all(|b| b.is_ascii_digit());
    if numeric(other) && numeric(own) {
        other < own
    } else {
        other != own
    }
}

/// Salt's `jid_to_time`: `2024, Feb 29 12:34:56.789012`, or "" for other jids.
pub fn jid_to_time(jid: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let digits = jid
        .get(..20)
        .filter(|d| d.bytes().all(|b| b.is_ascii_digit()));
    let well_formed = jid.len() == 20 || (jid.len() > 21 && jid.as_bytes()[20] == b'_');
    let (Some(d), true) = (digits, well_formed) else {
        return String::new();
    };
    let month = d[4..6]
        .parse::<usize>()
        .ok()
        .and_then(|m| MONTHS.get(m.wrapping_sub(1)))
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
    use serde_json::json;

    #[test]
    fn jid_times() {
        assert_eq!(
            jid_to_time("20240229123456789012"),
            "2024, Feb 29 12:34:56.789012"
        );
        assert_eq!(jid_to_time("req"), "");
    }

    #[test]
    fn conflicts_name_other_state_jobs_only() {
        let dir = tempfile::tempdir().unwrap();
        let procs = ProcDir::new(dir.path());
        let load =
            |jid: &str, fun: &str| json!({"jid": jid, "fun": fun}).as_object().unwrap().clone();
        procs
            .write(
                "20240229123456789012",
                42,
                &load("20240229123456789012", "state.highstate"),
            )
            .unwrap();
        procs
            .write(
                "20240229123456789013",
                42,
                &load("20240229123456789013", "test.sleep"),
            )
            .unwrap();
        procs
            .write(
                "20240229123456789014",
                42,
                &load("20240229123456789014", "state.apply"),
            )
            .unwrap();
        let got = conflicts(&procs, Some("20240229123456789014"), &Map::new());
        assert_eq!(
            got,
            vec!["The function \"state.highstate\" is running as PID 42 and was started at 2024, Feb 29 12:34:56.789012 with jid 20240229123456789012"]
        );
        let concurrent = json!({"concurrent": true}).as_object().unwrap().clone();
        assert!(conflicts(&procs, Some("x"), &concurrent).is_empty());
        assert!(
            is_guarded("state.apply") && is_guarded("state.sls") && !is_guarded("state.running")
        );
    }
}
