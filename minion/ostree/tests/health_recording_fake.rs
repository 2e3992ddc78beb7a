//! The health-gated boot against the recording fake: a new deployment that
//! fails its checks is rolled back and rebooted once, never in a loop; one
//! that passes becomes the known-good deployment.

mod common;

use std::cell::Cell;

use common::FakeHost;
use halite_ostree::health::{run_gate, HealthConfig, Probe};
use halite_ostree::tool::Tools;
use serde_json::json;

struct Checks {
    fail: bool,
    runs: Cell<u32>,
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

fn config(host: &FakeHost) -> HealthConfig {
    HealthConfig::from_value(Some(&json!({
        "commands": ["true"],
        "record": host.dir.path().join("var/ostree-health.json").to_string_lossy(),
    })))
    .unwrap()
    .unwrap()
}

/// Boot a new deployment: stage NEXT and reboot into it through the fake.
fn boot_new(host: &FakeHost) {
    let ctx = host.ctx();
    let r = common::state(
        &ctx,
        "rpm_ostree.deployed",
        json!({"name": "os", "version": "2.0", "reboot": true}),
        false,
    );
    assert_eq!(r.result, Some(true), "{}", r.comment);
    host.clear_log();
}

fn host() -> FakeHost {
    FakeHost::new(
        "rpm-ostree/status-booted-rollback-layered.json",
        json!({"available": [{"version": "2.0", "checksum": "bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22"}]}),
    )
}

#[test]
fn failing_new_deployment_rolls_back_and_reboots_once_recording_fake() {
    let host = host();
    let cfg = config(&host);
    let runner = host.runner();
    let tools = Tools::new(&runner, None);
    let healthy = Checks {
        fail: false,
        runs: Cell::new(0),
    };
    // first start: the booted deployment passes and becomes known good
    let first = run_gate(&tools, &cfg, &healthy).unwrap();
    assert_eq!(first.status, "good");
    assert!(first.checked);
    let good = first.deployment.clone();

    boot_new(&host);
    let failing = Checks {
        fail: true,
        runs: Cell::new(0),
    };
    let report = run_gate(&tools, &cfg, &failing).unwrap();
    assert_eq!(report.status, "rolled-back", "{}", report.message);
    assert_eq!(report.failed_checks.len(), 1);
    assert_eq!(host.mutating(), ["rpm-ostree rollback", "systemctl reboot"]);
    // the fake rebooted into the previous deployment: known good again, and
    // the rollback is still reported, with no checks and no reboot
    host.clear_log();
    let after = run_gate(&tools, &cfg, &failing).unwrap();
    assert_eq!(after.deployment, good);
    assert_eq!(after.status, "rolled-back");
    assert!(!after.checked);
    assert!(host.mutating().is_empty());
    assert_eq!(failing.runs.get(), 1);
}

#[test]
fn a_deployment_that_keeps_failing_is_not_rebooted_again_recording_fake() {
    let host = host();
    let cfg = config(&host);
    let runner = host.runner();
    let tools = Tools::new(&runner, None);
    let healthy = Checks {
        fail: false,
        runs: Cell::new(0),
    };
    run_gate(&tools, &cfg, &healthy).unwrap();
    boot_new(&host);
    // the rollback "did not take": the system boots the new deployment again
    let failing = Checks {
        fail: true,
        runs: Cell::new(0),
    };
    let mut rec = halite_ostree::health::Record::load(&cfg.record);
    rec.trying = Some(
        host.read("status.json")["deployments"][0]["checksum"]
            .as_str()
            .unwrap()
            .to_string(),
    );
    rec.attempts = 1;
    rec.save(&cfg.record).unwrap();
    let report = run_gate(&tools, &cfg, &failing).unwrap();
    assert_eq!(report.status, "failed");
    assert!(
        report.message.contains("not rebooting again"),
        "{}",
        report.message
    );
    assert!(host.mutating().is_empty());
    assert_eq!(failing.runs.get(), 0);
}

#[test]
fn passing_new_deployment_is_marked_good_recording_fake() {
    let host = host();
    let cfg = config(&host);
    let runner = host.runner();
    let tools = Tools::new(&runner, None);
    boot_new(&host);
    let healthy = Checks {
        fail: false,
        runs: Cell::new(0),
    };
    let r = run_gate(&tools, &cfg, &healthy).unwrap();
    assert_eq!(r.status, "good");
    let again = run_gate(&tools, &cfg, &healthy).unwrap();
    assert!(!again.checked);
    assert_eq!(healthy.runs.get(), 1);
    assert!(host.mutating().is_empty());
}

#[test]
fn bad_health_config_names_the_key() {
    let e = HealthConfig::from_value(Some(&json!({"commands": "true"}))).unwrap_err();
    assert_eq!(e, "ostree_health: commands: expected a list");
    let e = HealthConfig::from_value(Some(&json!({"timeout": "soon"}))).unwrap_err();
    assert_eq!(e, "ostree_health: timeout: expected a number");
}

#[test]
fn no_known_good_deployment_means_no_rollback_recording_fake() {
    let host = host();
    let cfg = config(&host);
    let runner = host.runner();
    let tools = Tools::new(&runner, None);
    // first boot ever, checks fail: there is nothing known good to go back to
    let failing = Checks {
        fail: true,
        runs: Cell::new(0),
    };
    let r = run_gate(&tools, &cfg, &failing).unwrap();
    assert_eq!(r.status, "failed");
    assert!(
        r.message.contains("not the last known-good one"),
        "{}",
        r.message
    );
    assert!(host.mutating().is_empty());
}

#[test]
fn unwritable_record_never_reboots_recording_fake() {
    let host = host();
    let mut cfg = config(&host);
    cfg.record = std::path::PathBuf::from("/proc/halite-cannot-write/record.json");
    let runner = host.runner();
    let tools = Tools::new(&runner, None);
    let failing = Checks {
        fail: true,
        runs: Cell::new(0),
    };
    let r = run_gate(&tools, &cfg, &failing).unwrap();
    assert_eq!(r.status, "failed");
    assert!(
        r.message.contains("cannot write the boot record"),
        "{}",
        r.message
    );
    assert_eq!(failing.runs.get(), 0);
    assert!(host.mutating().is_empty());
}
