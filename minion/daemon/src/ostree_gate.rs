//! The health-gated boot at minion start (halite-ostree decides, rolls back
//! and reboots; this module runs the checks): shell commands within the time
//! limit, the master reached (the minion authenticated before the gate runs),
//! and the states of an SLS. The outcome becomes the `ostree_health` grain
//! and the `halite/ostree/health` event, and reaches the master's grain
//! cache through a pillar refresh.

use std::sync::Arc;
use std::time::Instant;

use halite_api::{CmdSpec, Map, Value};
use halite_ostree::health::{report_value, run_gate, HealthConfig, Probe};
use halite_ostree::tool::Tools;

use crate::minion::Minion;

/// The event tag the report is fired on.
pub const EVENT_TAG: &str = "halite/ostree/health";

/// Run the gate when `ostree_health` is configured (option, else pillar).
pub fn run(minion: &Arc<Minion>) {
    let pillar = minion.pillar();
    let raw = minion
        .opts
        .get("ostree_health")
        .filter(|v| !v.is_null())
        .or_else(|| pillar.get("ostree_health"));
    let cfg = match HealthConfig::from_value(raw) {
        Ok(Some(cfg)) => cfg,
        Ok(None) => return,
        Err(e) => {
            tracing::error!("health gate not run: {e}");
            return;
        }
    };
    let runner = Arc::clone(&minion.services.runner);
    let tools = Tools::new(runner.as_ref(), None);
    let probe = MinionProbe { minion };
    let report = match run_gate(&tools, &cfg, &probe) {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!("health gate not run: {e}");
            return;
        }
    };
    tracing::warn!("ostree health: {} ({})", report.status, report.message);
    minion.set_grain("ostree_health", Value::String(report.status.clone()));
    if let Err(e) = minion.refresh_pillar() {
        tracing::warn!("cannot refresh grains on the master: {e}");
    }
    if let Err(e) = minion.link.fire_event(EVENT_TAG, report_value(&report)) {
        tracing::warn!("cannot fire {EVENT_TAG}: {e}");
    }
}

struct MinionProbe<'a> {
    minion: &'a Arc<Minion>,
}

impl Probe for MinionProbe<'_> {
    fn failures(&self, cfg: &HealthConfig) -> Vec<String> {
        let deadline = Instant::now() + cfg.timeout;
        let mut failed = Vec::new();
        for cmd in &cfg.commands {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                failed.push(format!("command '{cmd}': time limit reached"));
                continue;
            }
            let mut spec = CmdSpec::shell("/bin/sh", cmd);
            spec.timeout = Some(left);
            match self.minion.services.runner.run(&spec) {
                Ok(o) if o.timed_out => failed.push(format!("command '{cmd}' timed out")),
                Ok(o) if o.retcode != 0 => {
                    failed.push(format!("command '{cmd}' exited {}", o.retcode))
                }
                Ok(_) => {}
                Err(e) => failed.push(format!("command '{cmd}': {e}")),
            }
        }
        // The gate runs after authentication: the master was reached.
        if let Some(sls) = &cfg.sls {
            failed.extend(self.sls_failures(sls));
        }
        failed
    }
}

impl MinionProbe<'_> {
    /// Run `state.sls NAME`; every state must have succeeded.
    fn sls_failures(&self, sls: &str) -> Vec<String> {
        let ctx = self.minion.ctx("health");
        let out = match ctx.call(
            "state.sls",
            vec![Value::String(sls.to_string())],
            Map::new(),
        ) {
            Ok(o) => o,
            Err(e) => return vec![format!("sls {sls}: {e}")],
        };
        match &out.ret {
            Value::Object(states) => states
                .iter()
                .filter(|(_, r)| r.get("result") != Some(&Value::Bool(true)))
                .map(|(id, r)| {
                    let comment = r.get("comment").and_then(Value::as_str).unwrap_or("");
                    format!("sls {sls}: {id}: {comment}")
                })
                .collect(),
            Value::Array(errors) => errors
                .iter()
                .map(|e| format!("sls {sls}: {}", e.as_str().unwrap_or("render error")))
                .collect(),
            other => vec![format!("sls {sls}: unexpected result {other}")],
        }
    }
}

/// With `ostree_health: {master: true}`: if the minion has not authenticated
/// with the master within the time limit, run the gate with that failure
/// (the main gate never runs without a master connection).
pub fn watch_master(opts: &Map, connected: Arc<std::sync::atomic::AtomicBool>) {
    let cfg = match HealthConfig::from_value(opts.get("ostree_health")) {
        Ok(Some(cfg)) if cfg.master => cfg,
        _ => return,
    };
    std::thread::spawn(move || {
        let deadline = Instant::now() + cfg.timeout;
        while Instant::now() < deadline {
            if connected.load(std::sync::atomic::Ordering::SeqCst) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(500));
        }
        if connected.load(std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        let runner = halite_api::SystemRunner;
        let tools = Tools::new(&runner, None);
        let unreachable = Unreachable(cfg.timeout.as_secs());
        match run_gate(&tools, &cfg, &unreachable) {
            Ok(r) => tracing::warn!("ostree health: {} ({})", r.status, r.message),
            Err(e) => tracing::warn!("health gate not run: {e}"),
        }
    });
}

struct Unreachable(u64);

impl Probe for Unreachable {
    fn failures(&self, _: &HealthConfig) -> Vec<String> {
        vec![format!("master not reachable within {} s", self.0)]
    }
}
