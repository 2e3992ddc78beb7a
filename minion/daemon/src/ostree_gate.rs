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

#[cfg(test)]
mod tests {
    //! The gate inside a minion (in-memory link) with halite-ostree's
    //! recording fake of rpm-ostree/systemctl: a failing health SLS rolls
    //! back, reboots, sets the grain and fires the event.

    use std::path::PathBuf;
    use std::sync::Arc;

    use halite_api::{
        CmdOutput, CmdSpec, CommandRunner, ExecCall, ExecError, ExecOutput, ExecSpec, Registry,
        RunError, SystemRunner, Value,
    };
    use serde_json::json;

    use crate::minion::{Minion, Services};
    use crate::testkit::{FakeLink, NoFiles, VerbatimTemplates};

    /// rpm-ostree and systemctl resolve to the recording fake.
    struct FakeToolsRunner {
        state: PathBuf,
    }

    impl CommandRunner for FakeToolsRunner {
        fn run(&self, spec: &CmdSpec) -> Result<CmdOutput, RunError> {
            let mut spec = spec.clone();
            if matches!(spec.argv[0].as_str(), "rpm-ostree" | "systemctl") {
                // the fake answers by the name it is called through
                let fake = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                    .join("../ostree/tests/fake/recording-fake.py");
                let link = self.state.join(&spec.argv[0]);
                if !link.exists() {
                    std::os::unix::fs::symlink(fake, &link).expect("link the fake");
                }
                spec.argv[0] = link.to_string_lossy().into_owned();
            }
            spec.env
                .insert("FAKE_OSTREE_DIR".into(), self.state.display().to_string());
            SystemRunner.run(&spec)
        }
    }

    fn failing_sls(_: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
        Ok(
            json!({"cmd_|-kubelet_|-curl -fsS localhost:10248/healthz_|-run":
            {"result": false, "comment": "Command \"curl\" run", "changes": {}}})
            .into(),
        )
    }

    fn no_matcher(_: &crate::minion::TargetQuery<'_>) -> Result<bool, String> {
        Ok(false)
    }

    #[test]
    fn failing_health_sls_rolls_back_sets_grain_and_fires_event_recording_fake() {
        let dir = tempfile::tempdir().unwrap();
        let shared = std::env::var("HALITE_SHARED")
            .map(PathBuf::from)
            .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
        let fixture = shared.join("fixtures/rpm-ostree/status-booted-rollback-layered.json");
        std::fs::copy(&fixture, dir.path().join("status.json")).unwrap();
        let st: Value = serde_json::from_slice(&std::fs::read(&fixture).unwrap()).unwrap();
        let previous = st["deployments"][1]["checksum"].as_str().unwrap();
        let record = dir.path().join("ostree-health.json");
        // the previous deployment passed last time; the booted one is new
        std::fs::write(
            &record,
            json!({"good": previous, "trying": null, "attempts": 0, "last": null}).to_string(),
        )
        .unwrap();

        let mut reg = Registry::new();
        reg.add_exec(&[ExecSpec {
            name: "state.sls",
            doc: "",
            run: failing_sls,
        }]);
        let services = Services {
            runner: Arc::new(FakeToolsRunner {
                state: dir.path().to_path_buf(),
            }),
            files: Arc::new(NoFiles),
            templates: Arc::new(VerbatimTemplates),
            registry: Arc::new(reg),
            matcher: no_matcher,
        };
        let opts = json!({"id": "n1", "cachedir": dir.path(),
            "ostree_health": {"sls": "node.health", "record": record, "timeout": 30}});
        let link = Arc::new(FakeLink::default());
        let minion = Minion::new(
            opts.as_object().unwrap().clone(),
            json!({}),
            link.clone(),
            services,
        );

        super::run(&minion);

        assert_eq!(minion.grains()["ostree_health"], json!("rolled-back"));
        assert_eq!(
            *link.pillar_fetches.lock().unwrap(),
            1,
            "grains pushed to the master"
        );
        let events = link.events.lock().unwrap().clone();
        let (tag, data) = events.last().expect("an event");
        assert_eq!(tag, super::EVENT_TAG);
        assert_eq!(data["status"], json!("rolled-back"));
        assert!(
            data["failed_checks"][0]
                .as_str()
                .unwrap()
                .starts_with("sls node.health: cmd_|-kubelet"),
            "{data}"
        );
        let log = std::fs::read_to_string(dir.path().join("argv.log")).unwrap();
        assert!(
            log.contains("[\"rpm-ostree\", \"rollback\"]")
                && log.contains("[\"systemctl\", \"reboot\"]"),
            "{log}"
        );
        let after: Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("status.json")).unwrap())
                .unwrap();
        assert_eq!(after["deployments"][0]["checksum"], json!(previous));
    }
}
