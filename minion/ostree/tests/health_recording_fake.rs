//! The health-gated boot against the recording fake: a new deployment that
//! fails its checks is rolled back and rebooted once, never in a loop; one
//! that passes becomes the known-good deployment.

mod common;

use std::cell::Cell;

use common::{FakeHost, PathRunner};
use halite_ostree::health::{run_gate, HealthConfig, Probe, Record, Report};
use halite_ostree::tool::Tools;
use serde_json::json;

/// Checks that all pass or all fail, counting their runs.
struct Checks {
    fail: bool,
    runs: Cell<u32>,
}

impl Checks {
    fn passing() -> Checks {
        Checks {
            fail: false,
            runs: Cell::new(0),
        }
    }
    fn failing() -> Checks {
        Checks {
            fail: true,
            runs: Cell::new(0),
        }
    }
}

impl Probe for Checks {
    fn failures(&self, _: &HealthConfig) -> Vec<String> {
        self.runs.set(self.runs.get() + 1);
        if self.fail {
            vec!["command 'curl -fsS localhost:10248/healthz' exited 7".into()]
        } else {
            vec![]
        }
    }
}

/// A fake host with a boot record in its scratch directory.
struct Gate {
    host: FakeHost,
    cfg: HealthConfig,
    runner: PathRunner,
}

impl Gate {
    fn new() -> Gate {
        let host = FakeHost::new(
            "rpm-ostree/status-booted-rollback-layered.json",
            json!({"available": [{"version": "2.0", "checksum": "bb22".repeat(16)}]}),
        );
        let cfg = HealthConfig::from_value(Some(&json!({
            "commands": ["true"],
            "record": host.dir.path().join("var/ostree-health.json").to_string_lossy(),
        })))
        .unwrap()
        .unwrap();
        let runner = host.runner();
        Gate { host, cfg, runner }
    }

    fn run(&self, probe: &Checks) -> Report {
        run_gate(&Tools::new(&self.runner, None), &self.cfg, probe).unwrap()
    }

    /// Boot a new deployment: stage 2.0 and reboot into it through the fake.
    fn boot_new(&self) {
        let ctx = self.host.ctx();
        let args = json!({"name": "os", "version": "2.0", "reboot": true});
        let r = common::state(&ctx, "rpm_ostree.deployed", args, false);
        assert_eq!(r.result, Some(true), "{}", r.comment);
        self.host.clear_log();
    }
}

#[test]
fn failing_new_deployment_rolls_back_and_reboots_once_recording_fake() {
    let gate = Gate::new();
    // first start: the booted deployment passes and becomes known good
    let first = gate.run(&Checks::passing());
    assert_eq!(first.status, "good");
    assert!(first.checked);

    gate.boot_new();
    let failing = Checks::failing();
    let report = gate.run(&failing);
    assert_eq!(report.status, "rolled-back", "{}", report.message);
    assert_eq!(report.failed_checks.len(), 1);
    assert_eq!(
        gate.host.mutating(),
        ["rpm-ostree rollback", "systemctl reboot"]
    );
    // the fake rebooted into the previous deployment: known good again, and
    // the rollback is still reported, with no checks and no reboot
    gate.host.clear_log();
    let after = gate.run(&failing);
    assert_eq!(after.deployment, first.deployment);
    assert_eq!(after.status, "rolled-back");
    assert!(!after.checked);
    assert!(gate.host.mutating().is_empty());
    assert_eq!(failing.runs.get(), 1);
}

#[test]
fn a_deployment_that_keeps_failing_is_not_rebooted_again_recording_fake() {
    let gate = Gate::new();
    gate.run(&Checks::passing());
    gate.boot_new();
    // the rollback "did not take": the system boots the new deployment again
    let mut rec = Record::load(&gate.cfg.record);
    let booted = gate.host.read("status.json")["deployments"][0]["checksum"].clone();
    rec.trying = Some(booted.as_str().unwrap().to_string());
    rec.attempts = 1;
    rec.save(&gate.cfg.record).unwrap();
    let failing = Checks::failing();
    let report = gate.run(&failing);
    assert_eq!(report.status, "failed");
    assert!(
        report.message.contains("not rebooting again"),
        "{}",
        report.message
    );
    assert!(gate.host.mutating().is_empty());
    assert_eq!(failing.runs.get(), 0);
}

#[test]
fn passing_new_deployment_is_marked_good_recording_fake() {
    let gate = Gate::new();
    gate.boot_new();
    let healthy = Checks::passing();
    assert_eq!(gate.run(&healthy).status, "good");
    assert!(!gate.run(&healthy).checked);
    assert_eq!(healthy.runs.get(), 1);
    assert!(gate.host.mutating().is_empty());
}

#[test]
fn no_known_good_deployment_means_no_rollback_recording_fake() {
    let gate = Gate::new();
    // first boot ever, checks fail: there is nothing known good to go back to
    let r = gate.run(&Checks::failing());
    assert_eq!(r.status, "failed");
    assert!(
        r.message.contains("not the last known-good one"),
        "{}",
        r.message
    );
    assert!(gate.host.mutating().is_empty());
}

#[test]
fn unwritable_record_never_reboots_recording_fake() {
    let mut gate = Gate::new();
    gate.cfg.record = std::path::PathBuf::from("/proc/halite-cannot-write/record.json");
    let failing = Checks::failing();
    let r = gate.run(&failing);
    assert_eq!(r.status, "failed");
    assert!(
        r.message.contains("cannot write the boot record"),
        "{}",
        r.message
    );
    assert_eq!(failing.runs.get(), 0);
    assert!(gate.host.mutating().is_empty());
}

#[test]
fn bad_health_config_names_the_key() {
    let e = HealthConfig::from_value(Some(&json!({"commands": "true"}))).unwrap_err();
    assert_eq!(e, "ostree_health: commands: expected a list");
    let e = HealthConfig::from_value(Some(&json!({"timeout": "soon"}))).unwrap_err();
    assert_eq!(e, "ostree_health: timeout: expected a number");
}
