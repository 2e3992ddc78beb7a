//! Commit-confirmed application of a [`Plan`].
//!
//! 1. A pending-rollback [`record::Record`] (every undo op, the snapshot's
//!    routes of the touched interfaces) is written and locked.
//! 2. A watchdog process is started (`halite net-watchdog RECORD`, its own
//!    session): if the record still exists at its deadline, it rolls back.
//!    It does not depend on the minion surviving the change.
//! 3. The steps are applied in order; a failed step rolls back at once.
//! 4. The checks ([`confirm`]) must pass within the timeout; if they do the
//!    record is removed (the watchdog sees that and exits), if not the
//!    change is rolled back and the state fails with what the checks saw.
//!
//! A minion that starts and finds a record nobody holds rolls it back
//! ([`recover`]): the change was never confirmed.

pub mod confirm;
pub mod record;

use crate::model::Observed;
use crate::netlink::NetHost;
use crate::op::Op;
use crate::plan::Plan;
use confirm::{Check, Verdict};
use halite_api::runner::CommandRunner;
use record::{Held, Record};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long the watchdog waits beyond the confirmation timeout, for the
/// applier's own rollback to finish first.
pub const WATCHDOG_GRACE: Duration = Duration::from_secs(15);

/// Errnos that mean "already as the undo wants it".
const ALREADY: [i32; 5] = [
    libc::EEXIST,
    libc::ENOENT,
    libc::ENODEV,
    libc::EADDRNOTAVAIL,
    libc::ESRCH,
];

/// How to confirm one change.
#[derive(Debug, Clone)]
pub struct ConfirmSpec {
    pub checks: Vec<Check>,
    pub timeout: Duration,
}

/// Where records live and how the watchdog is started.
pub struct Env<'a> {
    pub host: &'a dyn NetHost,
    pub runner: &'a dyn CommandRunner,
    /// `<cachedir>/net/pending`.
    pub dir: PathBuf,
    /// The program to start as `PROGRAM net-watchdog RECORD`.
    pub watchdog_exe: PathBuf,
}

/// How a change ended.
#[derive(Debug)]
pub enum Outcome {
    Confirmed {
        applied: Vec<String>,
        verdict: Verdict,
    },
    /// Nothing was changed: the safety net could not be set up.
    NotStarted(String),
    /// A step failed; everything was rolled back.
    StepFailed {
        applied: Vec<String>,
        error: String,
        rollback: Vec<String>,
    },
    /// The checks failed; everything was rolled back.
    Unconfirmed {
        applied: Vec<String>,
        verdict: Verdict,
        rollback: Vec<String>,
    },
}

/// Apply `plan` (made from `snapshot`) commit-confirmed. `change` names it
/// in the record; `checks` are added to once the change is in (the default
/// route's gateway, as it is then).
pub fn apply(
    env: &Env<'_>,
    change: &str,
    snapshot: &Observed,
    plan: &Plan,
    confirm: &ConfirmSpec,
) -> Outcome {
    let record = new_record(change, snapshot, plan, confirm.timeout);
    let held = match Held::create(&env.dir, &record) {
        Ok(h) => h,
        Err(e) => {
            return Outcome::NotStarted(format!(
                "cannot write the rollback record in {}: {e}",
                env.dir.display()
            ))
        }
    };
    let argv = [
        env.watchdog_exe.display().to_string(),
        "net-watchdog".to_string(),
        held.path.display().to_string(),
    ];
    if let Err(e) = env.runner.spawn_detached(&argv) {
        let _ = held.finish();
        return Outcome::NotStarted(format!("cannot start the rollback watchdog: {e}"));
    }
    let mut applied = Vec::new();
    for step in &plan.steps {
        if let Err(e) = env.host.apply(&step.op) {
            let rollback = roll_back(env.host, &record);
            let _ = held.finish();
            return Outcome::StepFailed {
                applied,
                error: e.to_string(),
                rollback,
            };
        }
        applied.push(step.op.to_string());
    }
    let verdict = confirm::run(
        env.runner,
        &checks_after(env.host, confirm),
        confirm.timeout,
    );
    if verdict.ok() {
        let _ = held.finish();
        return Outcome::Confirmed { applied, verdict };
    }
    let rollback = roll_back(env.host, &record);
    let _ = held.finish();
    Outcome::Unconfirmed {
        applied,
        verdict,
        rollback,
    }
}

/// The configured checks plus a ping of the default gateway now in place.
fn checks_after(host: &dyn NetHost, confirm: &ConfirmSpec) -> Vec<Check> {
    let mut checks = Vec::new();
    if let Some(gw) = host
        .observe(None)
        .ok()
        .and_then(|o| o.default_route().and_then(|r| r.gateway))
    {
        checks.push(Check::Ping(gw));
    }
    for c in &confirm.checks {
        if !checks.contains(c) {
            checks.push(c.clone());
        }
    }
    checks
}

fn now_unix() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

fn new_record(change: &str, snapshot: &Observed, plan: &Plan, timeout: Duration) -> Record {
    let created = now_unix();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    Record {
        id: format!("{}-{}-{nanos:09}", created as u64, std::process::id()),
        change: change.to_string(),
        pid: std::process::id(),
        created_unix: created,
        deadline_unix: created + (timeout + WATCHDOG_GRACE).as_secs_f64(),
        undo: plan.rollback_ops(),
        routes: plan.routes_to_keep(snapshot),
    }
}

/// Run every undo op (tolerating "already so"), then put back any snapshot
/// route of the touched interfaces that is missing. Returns what was done,
/// errors included, as text.
pub fn roll_back(host: &dyn NetHost, record: &Record) -> Vec<String> {
    let mut done = Vec::new();
    for op in &record.undo {
        done.push(run_undo(host, op));
    }
    if let Ok(now) = host.observe(None) {
        for r in &record.routes {
            if !now.routes.iter().any(|have| have.satisfies(r)) {
                done.push(run_undo(host, &Op::ReplaceRoute { route: r.clone() }));
            }
        }
    }
    done
}

fn run_undo(host: &dyn NetHost, op: &Op) -> String {
    match host.apply(op) {
        Ok(()) => op.to_string(),
        Err(e) if e.errno().is_some_and(|n| ALREADY.contains(&n)) => format!("{op} (already so)"),
        Err(crate::NetError::NoSuchLink(_)) => format!("{op} (already so)"),
        Err(e) => format!("{op} FAILED: {e}"),
    }
}

/// What a rollback by someone other than the applier wrote down.
#[derive(Debug, Serialize)]
pub struct RolledBack<'a> {
    pub record: &'a Record,
    pub by: &'a str,
    pub at_unix: f64,
    pub done: &'a [String],
}

/// Roll back one claimed record and leave `<id>.rolledback` beside it.
fn settle(host: &dyn NetHost, held: Held, record: &Record, by: &str) -> Vec<String> {
    let done = roll_back(host, record);
    let note = RolledBack {
        record,
        by,
        at_unix: now_unix(),
        done: &done,
    };
    let out = held.path.with_extension("rolledback");
    if let Ok(json) = serde_json::to_vec_pretty(&note) {
        let _ = halite_api::atomic::write_atomic(&out, &json, 0o600);
    }
    let _ = held.finish();
    done
}

/// At start: roll back every record whose applier is gone. Returns one line
/// per rolled-back change.
pub fn recover(host: &dyn NetHost, dir: &Path) -> Vec<String> {
    let mut lines = Vec::new();
    for path in record::pending_in(dir) {
        match Held::claim(&path, false) {
            Ok(Some((held, record))) => {
                let done = settle(host, held, &record, "restart");
                lines.push(format!(
                    "rolled back the unconfirmed change '{}' of pid {}: {}",
                    record.change,
                    record.pid,
                    done.join("; ")
                ));
            }
            Ok(None) => {}
            Err(e) => lines.push(format!("cannot read {}: {e}", path.display())),
        }
    }
    lines
}

/// The watchdog: wait until the record's deadline (leaving early once the
/// record is gone), then roll back if it is still there.
pub fn watchdog(
    host_open: impl Fn() -> Result<Box<dyn NetHost>, crate::NetError>,
    path: &Path,
) -> i32 {
    let deadline = match read_deadline(path) {
        Some(d) => d,
        None => return 0,
    };
    while now_unix() < deadline {
        if !path.exists() {
            return 0;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    match Held::claim(path, true) {
        Ok(Some((held, record))) => match host_open() {
            Ok(host) => {
                settle(host.as_ref(), held, &record, "watchdog");
                0
            }
            Err(_) => 1,
        },
        Ok(None) => 0,
        Err(_) => 1,
    }
}

fn read_deadline(path: &Path) -> Option<f64> {
    // The applier writes the record before it starts the watchdog.
    let text = std::fs::read_to_string(path).ok()?;
    serde_json::from_str::<Record>(&text)
        .ok()
        .map(|r| r.deadline_unix)
}

/// The record directory for a cache directory.
pub fn pending_dir(cachedir: &Path) -> PathBuf {
    cachedir.join("net").join("pending")
}

#[cfg(test)]
mod tests;
