//! The OS-image module through a real salt-master, with the recording fake
//! of rpm-ostree/systemctl (minion/ostree/tests/fake) first on the Halite
//! minion's PATH: `salt -G rack:r12 state.apply os` stages the rack's
//! version from the repository's pillar and formula, a second apply changes
//! nothing, and after a simulated reboot into the new deployment a failing
//! health check makes the previous deployment the default again, reboots,
//! and the master sees the event and can target the `ostree_health` grain.

use std::fs;
use std::path::Path;
use std::time::Duration;

use halite_tests::minion::{wait_answering, Flavor, Minion};
use halite_tests::net::wait_until;
use halite_tests::require_salt;
use halite_tests::salt::{Master, MasterSpec, PINNED_SALT};
use serde_json::{json, Value};

use halite_tests::ostree_fake::{FakeTools, NEXT};

fn master(venv: &Path) -> Master {
    let repo = halite_tests::repo_root();
    let mut extra = serde_json::Map::new();
    extra.insert(
        "file_roots".into(),
        json!({"base": [repo.join("states"), repo.join("formulas")]}),
    );
    extra.insert(
        "pillar_roots".into(),
        json!({"base": [repo.join("pillar")]}),
    );
    Master::start(
        venv,
        MasterSpec {
            extra,
            ..Default::default()
        },
    )
}

fn apply_os(master: &Master, id: &str) -> Value {
    let (v, _) = master.salt_json(&["-G", "rack:r12", "state.apply", "os", "--timeout", "60"]);
    let ret = &v[id];
    let obj = ret
        .as_object()
        .unwrap_or_else(|| panic!("state.apply os returned {v}"));
    obj.iter()
        .find(|(k, _)| k.starts_with("rpm_ostree_|-os-image"))
        .map(|(_, r)| r.clone())
        .unwrap_or_else(|| panic!("no os-image state in {ret}"))
}

#[test]
fn rack_upgrade_stages_and_failed_health_rolls_back_recording_fake() {
    let venv = require_salt!(PINNED_SALT);
    let master = master(&venv);
    let tools = FakeTools::new();
    fs::write(tools.health_marker(), "").unwrap();
    let conf = json!({
        "grains": {"rack": "r12"},
        "ostree_health": {
            "commands": [format!("test -e {}", tools.health_marker().display())],
            "record": tools.dir.path().join("var/ostree-health.json"),
            "timeout": 30,
        },
    });
    let mut minion =
        Minion::start_with_env(&master, "node-r12-1", Flavor::Halite, conf, tools.env());
    wait_answering(&master, &minion);

    let staged = apply_os(&master, &minion.id);
    assert_eq!(staged["result"], json!(true), "{staged}");
    let comment = staged["comment"].as_str().unwrap();
    assert!(
        comment.starts_with(&format!("Staged {NEXT}")) && comment.ends_with("reboot pending"),
        "{comment}"
    );
    assert_eq!(staged["changes"]["staged"]["version"], json!(NEXT));
    assert_eq!(
        tools.mutating(),
        [format!(
            "rpm-ostree deploy --lock-finalization --unchanged-exit-77 version={NEXT}"
        )]
    );

    tools.clear_log();
    let again = apply_os(&master, &minion.id);
    assert_eq!(again["result"], json!(true));
    assert_eq!(again["changes"], json!({}), "{again}");
    assert!(tools.mutating().is_empty(), "{:?}", tools.log());

    // Reboot into the new deployment, whose kubelet does not come up.
    tools.reboot();
    fs::remove_file(tools.health_marker()).unwrap();
    tools.clear_log();
    let events = tools.dir.path().join("events.txt");
    let mut listener = master.spawn_cli(
        "salt-run",
        &["state.event", "tagmatch=halite/ostree/health", "count=1"],
        &events,
    );
    std::thread::sleep(Duration::from_secs(3)); // the listener subscribes
    minion.restart(&venv);
    let rolled = wait_until(Duration::from_secs(60), || {
        tools.mutating() == ["rpm-ostree rollback", "systemctl reboot"]
    });
    assert!(rolled, "no rollback: {:?}\n{}", tools.log(), minion.log());
    let st = tools.status();
    assert_eq!(
        st["deployments"][0]["version"],
        json!("414.92.202406040852-0")
    );
    wait_answering(&master, &minion);
    let event_seen = wait_until(Duration::from_secs(30), || {
        fs::read_to_string(&events)
            .unwrap_or_default()
            .contains("rolled-back")
    });
    halite_tests::salt::terminate(&mut listener);
    let text = fs::read_to_string(&events).unwrap_or_default();
    assert!(
        event_seen,
        "the master never saw the health event: {text:?}"
    );
    assert!(text.starts_with("halite/ostree/health"), "{text}");
    assert!(text.contains("failed_checks"), "{text}");
    let (targeted, _) = master.salt_json(&[
        "-G",
        "ostree_health:rolled-back",
        "test.ping",
        "--timeout",
        "10",
    ]);
    assert_eq!(targeted[&minion.id], json!(true), "{targeted}");
}
