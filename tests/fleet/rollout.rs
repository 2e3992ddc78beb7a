//! Rollouts through the real master and salt-api: publish, a highstate
//! rollout that finishes, one that pauses at the failure budget with the
//! rest of the rack untouched, the controller killed mid-rollout and
//! resumed without redoing finished nodes, and an OS upgrade (recording
//! fake of rpm-ostree, simulated reboots) where a node fails its health
//! gate and its batch is rolled back.

use std::fs;
use std::time::Duration;

use halite_tests::net::wait_until;
use halite_tests::ostree_fake::NEXT;
use halite_tests::require_salt;
use halite_tests::salt::PINNED_SALT;
use serde_json::{json, Value};

use crate::fleet::Fleet;

fn generation(f: &Fleet) -> String {
    fs::read_link(f.roots().join("current"))
        .unwrap()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .to_string()
}

fn rack<'a>(status: &'a Value, name: &str) -> &'a Value {
    status["racks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rack"] == json!(name))
        .unwrap()
}

#[test]
fn fleet_rollouts_through_salt_api_recording_fake_ostree() {
    let venv = require_salt!(PINNED_SALT);
    let f = Fleet::start(&venv);

    // publish: the tree swapped in, the master refreshed, a node sees it
    let out = f.publish();
    assert!(out.status.success(), "publish failed");
    let g1 = generation(&f);
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("sees generation {g1}")));

    // the plan
    let out = f.rollout(&["highstate"], &["--dry-run"]);
    let plan = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        plan.contains("apply    1. rack r1: r1-n1 (canary)"),
        "{plan}"
    );
    assert!(plan.contains("apply    2. rack r1: r1-n2, r1-n3"), "{plan}");
    assert!(plan.contains("apply    9. rack r3: r3-n4"), "{plan}");

    // 1. a highstate rollout that finishes
    let out = f.rollout(&["highstate"], &[]);
    assert_eq!(out.status.code(), Some(0));
    for n in f.nodes.iter() {
        let applied = n.applied().unwrap_or_default();
        assert_eq!(
            applied.trim(),
            format!("{} {} {g1}", n.id, n.rack),
            "{}",
            n.id
        );
    }
    // the cordon/drain hooks ran around every node, the canary's first
    let hooks = fs::read_to_string(f.hooks_log()).unwrap();
    let lines: Vec<&str> = hooks.lines().collect();
    assert_eq!(
        lines[..3],
        ["pre r1-n1 r1", "post r1-n1 r1", "pre r1-n2 r1"],
        "{hooks}"
    );
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("pre ")).count(),
        12,
        "{hooks}"
    );
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("post ")).count(),
        12,
        "{hooks}"
    );
    let st = f.status_json();
    assert_eq!(st["status"], json!("done"));
    for r in ["r1", "r2", "r3"] {
        assert_eq!(rack(&st, r)["state"], json!("done"));
    }
    fs::remove_file(f.state_dir().join("rollout.json")).unwrap();

    // 2. a broken node pauses the rollout at the failure budget (0)
    f.write_inventory("second");
    assert!(f.publish().status.success());
    let g2 = generation(&f);
    assert_ne!(g1, g2);
    let broken = f.node("r1-n3");
    fs::remove_file(broken.root.join("fleet/applied")).unwrap();
    fs::create_dir_all(broken.root.join("fleet/applied")).unwrap();
    let out = f.rollout(&["highstate"], &[]);
    assert_eq!(out.status.code(), Some(2), "paused exits 2");
    let st = f.status_json();
    assert_eq!(st["status"], json!("paused"));
    assert!(
        st["reason"]
            .as_str()
            .unwrap()
            .contains("failure budget 0 exceeded"),
        "{st}"
    );
    assert_eq!(rack(&st, "r1")["state"], json!("failed"));
    assert_eq!(rack(&st, "r2")["state"], json!("pending"));
    let r1n3 = &rack(&st, "r1")["nodes"][2];
    assert_eq!(r1n3["state"], json!("failed"));
    assert!(
        r1n3["detail"]
            .as_str()
            .unwrap()
            .contains("file.managed fleet-applied"),
        "{r1n3}"
    );
    // canary r1-n1, then r1-n2 with r1-n3; r1-n4 and the other racks untouched
    assert!(f.node("r1-n2").applied().unwrap().contains(&g2));
    assert!(f.node("r1-n4").applied().unwrap().contains(&g1));
    for n in f.nodes.iter().filter(|n| n.rack != "r1") {
        assert!(n.applied().unwrap().contains(&g1), "{} was touched", n.id);
    }

    // 3. mended, resumed, the controller killed mid-rollout and resumed again
    fs::remove_dir_all(broken.root.join("fleet/applied")).unwrap();
    let before = f.state_jobs();
    let inv = f.inventory().display().to_string();
    let state = f.state_dir().display().to_string();
    let mut ctl = f
        .ctl_command(&[
            "rollout",
            "highstate",
            "--resume",
            "--inventory",
            &inv,
            "--state-dir",
            &state,
        ])
        .spawn()
        .unwrap();
    let reached_r2 = wait_until(Duration::from_secs(120), || {
        f.node("r2-n1").applied().is_some_and(|a| a.contains(&g2))
    });
    assert!(reached_r2, "the resumed rollout never reached r2");
    ctl.kill().unwrap();
    let _ = ctl.wait();
    let killed_at = f.status_json();
    assert_eq!(killed_at["status"], json!("running"), "{killed_at}");
    let out = f.rollout(&["highstate"], &["--resume"]);
    assert_eq!(out.status.code(), Some(0));
    for n in f.nodes.iter() {
        assert!(n.applied().unwrap().contains(&g2), "{} not applied", n.id);
    }
    let after = f.state_jobs();
    for n in f.nodes.iter() {
        let runs = after.get(&n.id).copied().unwrap_or(0) - before.get(&n.id).copied().unwrap_or(0);
        let want = usize::from(!matches!(n.id.as_str(), "r1-n1" | "r1-n2"));
        // a node the kill caught mid-job is judged from the job cache on
        // resume (its jid was journaled before the job was published)
        assert_eq!(runs, want, "{}: state.apply jobs after the pause", n.id);
    }
    fs::remove_file(f.state_dir().join("rollout.json")).unwrap();

    // 4. OS upgrade: staged everywhere, then reboots; r2-n2 fails its health gate
    f.node("r2-n2").make_unhealthy();
    let out = f.rollout(&["os-upgrade"], &[]);
    assert_eq!(out.status.code(), Some(2), "paused exits 2");
    let st = f.status_json();
    let state_of = |id: &str| -> String {
        let r = &id[..2];
        rack(&st, r)["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["name"] == json!(id))
            .map(|n| n["state"].as_str().unwrap().to_string())
            .unwrap()
    };
    for id in ["r1-n1", "r1-n2", "r1-n3", "r1-n4", "r2-n1"] {
        assert_eq!(state_of(id), "done", "{id}: {st}");
        assert_eq!(f.node(id).booted_version(), NEXT, "{id}");
    }
    assert_eq!(state_of("r2-n2"), "failed");
    assert_eq!(state_of("r2-n3"), "rolled-back", "its batch-mate failed");
    for id in ["r2-n2", "r2-n3"] {
        assert_ne!(f.node(id).booted_version(), NEXT, "{id} kept the new image");
    }
    for id in ["r2-n4", "r3-n1", "r3-n2", "r3-n3", "r3-n4"] {
        assert_eq!(state_of(id), "staged", "{id}");
        assert_ne!(f.node(id).booted_version(), NEXT, "{id} was rebooted");
        let staged = f.node(id).tools.status()["deployments"][0].clone();
        assert_eq!(staged["version"], json!(NEXT), "{id} not staged");
        assert_eq!(staged["staged"], json!(true), "{id} not staged");
    }
    let canary = rack(&st, "r1")["nodes"][0]["detail"].as_str().unwrap();
    assert_eq!(canary, format!("booted {NEXT}, healthy, restarted"));
    let detail = rack(&st, "r2")["nodes"][1]["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(detail.starts_with("health gate rolled-back"), "{detail}");
}
