//! The health-gated boot: when the booted deployment is new since the last
//! boot, run the configured checks within a time limit; on failure make the
//! previous deployment the default and reboot, at most once per deployment
//! (a boot record in /var bounds it), and report the outcome.
//!
//! The checks themselves are the daemon's ([`Probe`]); this module owns the
//! decision, the record and the rollback.

use std::path::{Path, PathBuf};
use std::time::Duration;

use halite_api::{Map, Value};
use serde::{Deserialize, Serialize};

use crate::states::default::make_previous_default;
use crate::tool::Tools;

/// `ostree_health` configuration (minion option, else pillar).
#[derive(Debug, Clone, PartialEq)]
pub struct HealthConfig {
    /// Shell commands that must exit 0 (e.g. a kubelet health probe).
    pub commands: Vec<String>,
    /// An SLS whose states must all succeed.
    pub sls: Option<String>,
    /// The master must be reachable.
    pub master: bool,
    /// Time limit for all checks.
    pub timeout: Duration,
    /// Boots of one new deployment that may be checked (then: no more reboots).
    pub max_attempts: u32,
    /// The boot record.
    pub record: PathBuf,
}

impl HealthConfig {
    /// From the `ostree_health` mapping; `None` when not configured.
    pub fn from_value(v: Option<&Value>) -> Result<Option<HealthConfig>, String> {
        let Some(v) = v.filter(|v| !v.is_null()) else {
            return Ok(None);
        };
        let m = v.as_object().ok_or("ostree_health: expected a mapping")?;
        let commands = match m.get("commands") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) => a
                .iter()
                .map(|c| {
                    c.as_str()
                        .map(str::to_string)
                        .ok_or("ostree_health: commands: expected strings")
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err("ostree_health: commands: expected a list".into()),
        };
        let num = |key: &str, default: u64| -> Result<u64, String> {
            match m.get(key) {
                None | Some(Value::Null) => Ok(default),
                Some(v) => v
                    .as_u64()
                    .ok_or_else(|| format!("ostree_health: {key}: expected a number")),
            }
        };
        Ok(Some(HealthConfig {
            commands,
            sls: m.get("sls").and_then(Value::as_str).map(str::to_string),
            master: m.get("master").is_some_and(halite_api::value::is_truthy),
            timeout: Duration::from_secs(num("timeout", 300)?),
            max_attempts: num("max_attempts", 1)?.max(1) as u32,
            record: m
                .get("record")
                .and_then(Value::as_str)
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("/var/lib/halite/ostree-health.json")),
        }))
    }
}

/// Runs the checks; returns the failed ones (empty = healthy).
pub trait Probe {
    fn failures(&self, cfg: &HealthConfig) -> Vec<String>;
}

/// What the gate found, as the event and the grain report it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// `good`, `rolled-back` or `failed`.
    pub status: String,
    /// The booted deployment's checksum.
    pub deployment: String,
    /// The deployment that failed its checks (rolled-back / failed).
    #[serde(default)]
    pub failed_deployment: Option<String>,
    #[serde(default)]
    pub failed_checks: Vec<String>,
    /// Did this start run the checks (false: the deployment was known good).
    #[serde(default)]
    pub checked: bool,
    #[serde(default)]
    pub message: String,
}

/// The boot record kept across boots.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The last deployment that passed its checks.
    pub good: Option<String>,
    /// The new deployment being tried, and how many boots checked it.
    pub trying: Option<String>,
    pub attempts: u32,
    pub last: Option<Report>,
}

impl Record {
    pub fn load(path: &Path) -> Record {
        std::fs::read(path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// Write atomically (fsynced temp file + rename) so a crash never
    /// leaves half a record.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let data = serde_json::to_vec_pretty(self).unwrap_or_default();
        halite_api::atomic::write_atomic(path, &data, 0o600)
    }
}

/// Run the gate. Reboots (through `tools`) only after a confirmed rollback.
pub fn run_gate(
    tools: &Tools<'_>,
    cfg: &HealthConfig,
    probe: &dyn Probe,
) -> Result<Report, String> {
    let st = tools.rpm_ostree_status().map_err(|e| e.to_string())?;
    let booted = st
        .booted()
        .ok_or("rpm-ostree shows no booted deployment")?
        .checksum
        .clone();
    let mut rec = Record::load(&cfg.record);
    if rec.good.as_deref() == Some(booted.as_str()) {
        return Ok(known_good(&rec, booted));
    }
    let report_base = Report {
        status: String::new(),
        deployment: booted.clone(),
        failed_deployment: None,
        failed_checks: Vec::new(),
        checked: false,
        message: String::new(),
    };
    if rec.trying.as_deref() == Some(booted.as_str()) && rec.attempts >= cfg.max_attempts {
        let report = Report {
            status: "failed".into(),
            failed_deployment: Some(booted.clone()),
            message: format!(
                "deployment {booted} already failed its checks {} time(s); not rebooting again",
                rec.attempts
            ),
            ..report_base
        };
        rec.last = Some(report.clone());
        save(&rec, cfg);
        return Ok(report);
    }
    if rec.trying.as_deref() != Some(booted.as_str()) {
        rec.trying = Some(booted.clone());
        rec.attempts = 0;
    }
    rec.attempts += 1;
    if let Err(e) = rec.save(&cfg.record) {
        // The record is what bounds reboots: without it, never reboot.
        return Ok(Report {
            status: "failed".into(),
            message: format!(
                "cannot write the boot record {}: {e}; health checks not run",
                cfg.record.display()
            ),
            ..report_base
        });
    }
    let failed = probe.failures(cfg);
    if failed.is_empty() {
        let report = Report {
            status: "good".into(),
            checked: true,
            message: format!("deployment {booted} passed its health checks"),
            ..report_base
        };
        rec = Record {
            good: Some(booted),
            trying: None,
            attempts: 0,
            last: Some(report.clone()),
        };
        save(&rec, cfg);
        return Ok(report);
    }
    let mut report = Report {
        failed_deployment: Some(booted.clone()),
        failed_checks: failed,
        checked: true,
        ..report_base
    };
    // Roll back only to the deployment that last passed: anything else
    // could fail too and reboot back here, without end.
    let previous = st.rollback().map(|d| d.checksum.clone());
    if rec.good.is_none() || previous != rec.good {
        report.status = "failed".into();
        report.message = format!(
            "deployment {booted} failed its health checks; the previous deployment is not the last known-good one, so it is not rolled back"
        );
        rec.last = Some(report.clone());
        save(&rec, cfg);
        return Ok(report);
    }
    match make_previous_default(tools, &st) {
        Ok(prev) => {
            report.status = "rolled-back".into();
            report.message = format!(
                "deployment {booted} failed its health checks; {} is the default again; rebooting",
                prev.label()
            );
            rec.last = Some(report.clone());
            save(&rec, cfg);
            if let Err(e) = tools.reboot() {
                report.message.push_str(&format!(" (reboot failed: {e})"));
            }
        }
        Err(e) => {
            report.status = "failed".into();
            report.message = format!(
                "deployment {booted} failed its health checks and cannot be rolled back: {e}"
            );
            rec.last = Some(report.clone());
            save(&rec, cfg);
        }
    }
    Ok(report)
}

/// The booted deployment is the known-good one; after a rollback, keep
/// reporting it until a new deployment passes.
fn known_good(rec: &Record, booted: String) -> Report {
    match &rec.last {
        Some(last) if last.status == "rolled-back" => Report {
            deployment: booted,
            checked: false,
            ..last.clone()
        },
        _ => Report {
            status: "good".into(),
            deployment: booted.clone(),
            failed_deployment: None,
            failed_checks: Vec::new(),
            checked: false,
            message: format!("deployment {booted} is known good"),
        },
    }
}

fn save(rec: &Record, cfg: &HealthConfig) {
    if let Err(e) = rec.save(&cfg.record) {
        tracing::error!("cannot write {}: {e}", cfg.record.display());
    }
}

/// The report as event data.
pub fn report_value(r: &Report) -> Value {
    serde_json::to_value(r).unwrap_or(Value::Object(Map::new()))
}
