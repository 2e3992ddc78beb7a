//! The rollout logic against an in-memory master: batches, judging,
//! pauses, resume and OS-upgrade rollback, without salt-api.

use std::collections::{HashMap, HashSet};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Mutex;

use halite_api::{Map, Value};
use serde_json::json;

use super::bus::Bus;
use super::journal::{Journal, Kind, NodeState, Status, Store};
use super::{Outcome, Rollout};
use crate::inventory::{parse, Inventory};
use crate::master::{Answer, Event, Job, Master, MasterError};

#[derive(Default)]
struct Fleet {
    /// Nodes whose state runs fail / never answer / fail their health gate.
    failing: HashSet<String>,
    silent: HashSet<String>,
    unhealthy: HashSet<String>,
    unknown: HashSet<String>,
    finalize_fails: HashSet<String>,
    booted: HashMap<String, String>,
}

struct FakeMaster {
    fleet: Mutex<Fleet>,
    jobs: Mutex<Vec<(String, Vec<String>)>>,
    cache: Mutex<HashMap<String, HashMap<String, Answer>>>,
    tx: Mutex<Sender<Event>>,
    rx: Mutex<Option<Receiver<Event>>>,
}

impl FakeMaster {
    fn new(fleet: Fleet) -> FakeMaster {
        let (tx, rx) = channel();
        FakeMaster {
            fleet: Mutex::new(fleet),
            jobs: Mutex::new(Vec::new()),
            cache: Mutex::new(HashMap::new()),
            tx: Mutex::new(tx),
            rx: Mutex::new(Some(rx)),
        }
    }

    fn jobs(&self, fun: &str) -> Vec<Vec<String>> {
        let jobs = self.jobs.lock().unwrap();
        jobs.iter()
            .filter(|(f, _)| f == fun)
            .map(|(_, t)| t.clone())
            .collect()
    }

    fn send(&self, tag: String, data: Value) {
        let _ = self.tx.lock().unwrap().send(Event { tag, data });
    }

    fn answer(&self, jid: &str, node: &str, ret: Value, retcode: i64) {
        let answer = Answer {
            ret: ret.clone(),
            retcode: Some(retcode),
        };
        self.cache
            .lock()
            .unwrap()
            .entry(jid.into())
            .or_default()
            .insert(node.into(), answer);
        self.send(
            format!("salt/job/{jid}/ret/{node}"),
            json!({"id": node, "return": ret, "retcode": retcode}),
        );
    }

    fn health(&self, node: &str, status: &str) {
        self.send(format!("salt/minion/{node}/start"), json!({"id": node}));
        let report = json!({"status": status, "message": format!("{node} {status}")});
        self.send(
            "halite/ostree/health".into(),
            json!({"id": node, "cmd": "_minion_event", "data": report}),
        );
    }

    fn react(&self, jid: &str, node: &str, fun: &str) {
        let mut fleet = self.fleet.lock().unwrap();
        if fleet.silent.contains(node) {
            return;
        }
        let ok = json!({"file_|-x_|-x_|-managed": {"result": true, "changes": {}}});
        match fun {
            "state.apply" | "state.sls" if fleet.failing.contains(node) => {
                drop(fleet);
                let bad = json!({"file_|-x_|-x_|-managed": {"result": false, "comment": "boom", "changes": {}}});
                self.answer(jid, node, bad, 2);
            }
            "state.apply" | "state.sls" => {
                drop(fleet);
                self.answer(jid, node, ok, 0);
            }
            "rpm_ostree.booted" => {
                let v = fleet
                    .booted
                    .get(node)
                    .cloned()
                    .unwrap_or_else(|| "1.0".into());
                drop(fleet);
                self.answer(jid, node, json!({"version": v}), 0);
            }
            "rpm_ostree.finalize" if fleet.finalize_fails.contains(node) => {
                drop(fleet);
                self.answer(jid, node, json!("No staged deployment to finalize"), 1);
            }
            "rpm_ostree.finalize" => {
                let healthy = !fleet.unhealthy.contains(node);
                if healthy {
                    fleet.booted.insert(node.into(), "2.0".into());
                }
                drop(fleet);
                self.health(node, if healthy { "good" } else { "rolled-back" });
            }
            "rpm_ostree.rollback" => {
                fleet.booted.insert(node.into(), "1.0".into());
                drop(fleet);
                self.health(node, "good");
            }
            _ => {}
        }
    }
}

impl Master for FakeMaster {
    fn start_job(
        &self,
        targets: &[String],
        fun: &str,
        _: &[Value],
        _: &Map,
        jid: Option<&str>,
    ) -> Result<Job, MasterError> {
        let jid = {
            let mut jobs = self.jobs.lock().unwrap();
            jobs.push((fun.to_string(), targets.to_vec()));
            jid.map_or_else(|| format!("j{}", jobs.len()), str::to_string)
        };
        self.cache.lock().unwrap().entry(jid.clone()).or_default();
        let unknown = self.fleet.lock().unwrap().unknown.clone();
        let minions: Vec<String> = targets
            .iter()
            .filter(|t| !unknown.contains(*t))
            .cloned()
            .collect();
        for node in &minions {
            self.react(&jid, node, fun);
        }
        Ok(Job { jid, minions })
    }
    fn runner(&self, _: &str, _: &Map) -> Result<Value, MasterError> {
        Ok(Value::Null)
    }
    fn job_known(&self, jid: &str) -> Result<bool, MasterError> {
        Ok(self.cache.lock().unwrap().contains_key(jid))
    }
    fn job_returns(&self, jid: &str) -> Result<HashMap<String, Answer>, MasterError> {
        Ok(self
            .cache
            .lock()
            .unwrap()
            .get(jid)
            .cloned()
            .unwrap_or_default())
    }
    fn events(&self) -> Result<Receiver<Event>, MasterError> {
        Ok(self.rx.lock().unwrap().take().expect("events() once"))
    }
}

fn inventory(max_unavailable: usize, budget: usize) -> Inventory {
    let nodes = |r: &str, net: u8| -> String {
        (1..=4)
            .map(|i| {
                format!(
                    "      - {{name: {r}-n{i}, ip: 10.{net}.0.{}, roles: [w]}}\n",
                    10 + i
                )
            })
            .collect()
    };
    parse(&format!(
        "fleet:\n  name: t\n  roles: {{w: [w]}}\n  os_image: {{version: '2.0'}}\n  rollout: {{max_unavailable: {max_unavailable}, failure_budget: {budget}, node_timeout: 2, reboot_timeout: 2}}\nracks:\n  - name: r1\n    subnet: 10.1.0.0/24\n    tor: 10.1.0.1\n    nodes:\n{}  - name: r2\n    subnet: 10.2.0.0/24\n    tor: 10.2.0.1\n    nodes:\n{}",
        nodes("r1", 1),
        nodes("r2", 2)
    ))
    .unwrap()
}

fn run(
    inv: &Inventory,
    master: &FakeMaster,
    store: &Store,
    journal: Journal,
) -> (Outcome, Journal) {
    let bus = Bus::new(master.events().unwrap());
    let mut r = Rollout {
        inv,
        master,
        bus,
        store,
        journal,
        progress: &|_| {},
    };
    let outcome = r.run().unwrap();
    (outcome, r.journal)
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn state(j: &Journal, node: &str) -> NodeState {
    j.node(node).unwrap().state
}

#[test]
fn highstate_goes_canary_first_then_max_unavailable_rack_by_rack() {
    let inv = inventory(2, 0);
    let master = FakeMaster::new(Fleet::default());
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let (outcome, j) = run(
        &inv,
        &master,
        &store,
        Journal::new("t".into(), Kind::Highstate, &inv),
    );
    assert_eq!(outcome, Outcome::Done);
    assert_eq!(
        master.jobs("state.apply"),
        [
            names(&["r1-n1"]),
            names(&["r1-n2", "r1-n3"]),
            names(&["r1-n4"]),
            names(&["r2-n1"]),
            names(&["r2-n2", "r2-n3"]),
            names(&["r2-n4"]),
        ]
    );
    assert_eq!(
        Store::read(dir.path()).unwrap().unwrap().status,
        Status::Done
    );
    assert_eq!(j.node("r2-n4").unwrap().detail, "1 states, 0 changed");
}

#[test]
fn a_failed_node_spends_the_budget_and_pauses_with_the_rest_untouched() {
    let inv = inventory(1, 0);
    let fleet = Fleet {
        failing: ["r1-n2".to_string()].into(),
        ..Fleet::default()
    };
    let master = FakeMaster::new(fleet);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let (outcome, j) = run(
        &inv,
        &master,
        &store,
        Journal::new("t".into(), Kind::Highstate, &inv),
    );
    assert_eq!(
        outcome,
        Outcome::Paused("failure budget 0 exceeded: 1 node(s) failed (last: r1-n2)".into())
    );
    assert_eq!(
        master.jobs("state.apply"),
        [names(&["r1-n1"]), names(&["r1-n2"])]
    );
    assert_eq!(state(&j, "r1-n2"), NodeState::Failed);
    assert!(j
        .node("r1-n2")
        .unwrap()
        .detail
        .contains("file.managed x (boom)"));
    for n in ["r1-n3", "r1-n4", "r2-n1"] {
        assert_eq!(state(&j, n), NodeState::Pending);
    }
}

#[test]
fn silent_and_unknown_nodes_fail() {
    let inv = inventory(3, 5);
    let fleet = Fleet {
        silent: ["r1-n2".to_string()].into(),
        unknown: ["r1-n3".to_string()].into(),
        ..Fleet::default()
    };
    let master = FakeMaster::new(fleet);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let (outcome, j) = run(
        &inv,
        &master,
        &store,
        Journal::new("t".into(), Kind::Highstate, &inv),
    );
    assert_eq!(outcome, Outcome::Done, "within the budget of 5");
    assert_eq!(j.node("r1-n2").unwrap().detail, "no return within 2 s");
    assert!(j.node("r1-n3").unwrap().detail.contains("did not publish"));
    assert_eq!(j.failures(), 2);
}

#[test]
fn a_failed_canary_pauses_whatever_the_budget() {
    let inv = inventory(2, 5);
    let fleet = Fleet {
        failing: ["r2-n1".to_string()].into(),
        ..Fleet::default()
    };
    let master = FakeMaster::new(fleet);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let (outcome, _) = run(
        &inv,
        &master,
        &store,
        Journal::new("t".into(), Kind::Highstate, &inv),
    );
    assert_eq!(outcome, Outcome::Paused("canary r2-n1 failed".into()));
}

#[test]
fn resume_takes_a_running_nodes_return_from_the_job_cache_and_redoes_nothing() {
    let inv = inventory(2, 0);
    let master = FakeMaster::new(Fleet::default());
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    // a controller died after r1's canary finished and r1-n2/n3 were given job j0
    let mut j = Journal::new("t".into(), Kind::Highstate, &inv);
    j.node_mut("r1-n1").unwrap().state = NodeState::Done;
    for n in ["r1-n2", "r1-n3"] {
        let e = j.node_mut(n).unwrap();
        e.state = NodeState::Running;
        e.jid = Some("j0".into());
    }
    let ok = json!({"file_|-x_|-x_|-managed": {"result": true, "changes": {}}});
    for n in ["r1-n2", "r1-n3"] {
        master.answer("j0", n, ok.clone(), 0);
    }
    // the return events are gone (the controller died): only the job cache has them
    drop(master.rx.lock().unwrap().take());
    let (tx, rx) = channel();
    *master.tx.lock().unwrap() = tx;
    *master.rx.lock().unwrap() = Some(rx);
    let (outcome, j) = run(&inv, &master, &store, j);
    assert_eq!(outcome, Outcome::Done);
    let applied: Vec<String> = master.jobs("state.apply").concat();
    assert_eq!(
        applied,
        names(&["r1-n4", "r2-n1", "r2-n2", "r2-n3", "r2-n4"])
    );
    assert!(j.node("r1-n2").unwrap().detail.contains("found on resume"));
}

#[test]
fn resume_reruns_a_node_whose_journaled_job_was_never_published() {
    let inv = inventory(2, 0);
    let master = FakeMaster::new(Fleet::default());
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut j = Journal::new("t".into(), Kind::Highstate, &inv);
    let e = j.node_mut("r1-n1").unwrap();
    e.state = NodeState::Running;
    e.jid = Some("20261207000000000001".into());
    let started = std::time::Instant::now();
    let (outcome, _) = run(&inv, &master, &store, j);
    assert_eq!(outcome, Outcome::Done);
    assert_eq!(master.jobs("state.apply")[0], names(&["r1-n1"]));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "waited for a job that never existed"
    );
}

#[test]
fn os_upgrade_stages_everywhere_then_rolls_back_a_failed_batch() {
    let inv = inventory(2, 0);
    let fleet = Fleet {
        unhealthy: ["r1-n3".to_string()].into(),
        ..Fleet::default()
    };
    let master = FakeMaster::new(fleet);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let kind = Kind::OsUpgrade {
        target: "2.0".into(),
        sls: "os".into(),
    };
    let (outcome, j) = run(&inv, &master, &store, Journal::new("t".into(), kind, &inv));
    assert_eq!(
        outcome,
        Outcome::Paused("failure budget 0 exceeded: 1 node(s) failed (last: r1-n3)".into())
    );
    // staged on all eight first, rack by rack
    assert_eq!(
        master.jobs("state.sls"),
        [
            names(&["r1-n1", "r1-n2", "r1-n3", "r1-n4"]),
            names(&["r2-n1", "r2-n2", "r2-n3", "r2-n4"])
        ]
    );
    assert_eq!(
        master.jobs("rpm_ostree.finalize"),
        [names(&["r1-n1"]), names(&["r1-n2", "r1-n3"])]
    );
    assert_eq!(master.jobs("rpm_ostree.rollback"), [names(&["r1-n2"])]);
    assert_eq!(state(&j, "r1-n1"), NodeState::Done);
    assert_eq!(
        j.node("r1-n1").unwrap().detail,
        "booted 2.0, healthy, restarted"
    );
    assert_eq!(state(&j, "r1-n2"), NodeState::RolledBack);
    assert_eq!(state(&j, "r1-n3"), NodeState::Failed);
    assert!(j
        .node("r1-n3")
        .unwrap()
        .detail
        .starts_with("health gate rolled-back"));
    assert_eq!(state(&j, "r1-n4"), NodeState::Staged);
    assert_eq!(state(&j, "r2-n1"), NodeState::Staged);
}

#[test]
fn hooks_wrap_each_node_and_a_failing_pre_hook_keeps_the_node_unchanged() {
    let mut inv = inventory(2, 5);
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("hooks.log");
    inv.fleet.hooks.pre_node = Some(format!(
        "echo \"pre $HALITE_NODE $HALITE_RACK $HALITE_NODE_IP $HALITE_ROLLOUT\" >> {0}; test $HALITE_NODE != r1-n2 || {{ echo drain refused >&2; exit 3; }}",
        log.display()
    ));
    inv.fleet.hooks.post_node = Some(format!("echo \"post $HALITE_NODE\" >> {}", log.display()));
    let master = FakeMaster::new(Fleet::default());
    let store = Store::open(&dir.path().join("state")).unwrap();
    let (outcome, j) = run(
        &inv,
        &master,
        &store,
        Journal::new("t".into(), Kind::Highstate, &inv),
    );
    assert_eq!(outcome, Outcome::Done, "within the budget of 5");
    let r1n2 = j.node("r1-n2").unwrap();
    assert_eq!(r1n2.state, NodeState::Failed);
    assert_eq!(
        r1n2.detail,
        "pre hook exited 3: ".to_string()
            + inv.fleet.hooks.pre_node.as_deref().unwrap()
            + " (drain refused)"
    );
    assert!(
        !master
            .jobs("state.apply")
            .concat()
            .contains(&"r1-n2".to_string()),
        "r1-n2 was changed"
    );
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[..4],
        [
            "pre r1-n1 r1 10.1.0.11 highstate",
            "post r1-n1",
            "pre r1-n2 r1 10.1.0.12 highstate",
            "pre r1-n3 r1 10.1.0.13 highstate"
        ]
    );
    assert_eq!(lines.iter().filter(|l| l.starts_with("post")).count(), 7);
}

#[test]
fn a_resumed_journal_must_match_the_inventory_and_the_kind() {
    let inv = inventory(2, 0);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut j = Journal::new("t".into(), Kind::Highstate, &inv);
    j.status = Status::Paused;
    store.save(&j).unwrap();
    let mut fewer = inventory(2, 0);
    fewer.racks[0].nodes.retain(|n| n.name != "r1-n2");
    let e = super::prepare(&store, &fewer, Kind::Highstate, true).unwrap_err();
    assert!(e.contains("not the ones rollout t started with"), "{e}");
    let sls = Kind::Sls { name: "x".into() };
    let e = super::prepare(&store, &inv, sls, true).unwrap_err();
    assert!(e.contains("is highstate, not sls x"), "{e}");
    assert!(super::prepare(&store, &inv, Kind::Highstate, true).is_ok());
}

#[test]
fn a_resume_after_a_crash_honours_a_budget_already_spent() {
    let inv = inventory(1, 0);
    let master = FakeMaster::new(Fleet::default());
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut j = Journal::new("t".into(), Kind::Highstate, &inv);
    j.node_mut("r1-n1").unwrap().state = NodeState::Done;
    j.node_mut("r1-n2").unwrap().state = NodeState::Failed;
    let (outcome, _) = run(&inv, &master, &store, j);
    assert!(matches!(outcome, Outcome::Paused(_)), "{outcome:?}");
    assert!(master.jobs("state.apply").is_empty());
}

#[test]
fn a_node_found_done_on_resume_gets_its_post_hook() {
    let mut inv = inventory(2, 0);
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("hooks.log");
    inv.fleet.hooks.post_node = Some(format!("echo \"post $HALITE_NODE\" >> {}", log.display()));
    let master = FakeMaster::new(Fleet::default());
    let store = Store::open(&dir.path().join("state")).unwrap();
    let mut j = Journal::new("t".into(), Kind::Highstate, &inv);
    let e = j.node_mut("r1-n1").unwrap();
    e.state = NodeState::Running;
    e.jid = Some("j0".into());
    let ok = json!({"file_|-x_|-x_|-managed": {"result": true, "changes": {}}});
    master.answer("j0", "r1-n1", ok, 0);
    let (_, j) = run(&inv, &master, &store, j);
    assert_eq!(state(&j, "r1-n1"), NodeState::Done);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.starts_with("post r1-n1\n"), "{text}");
}

#[test]
fn a_finalize_that_fails_at_once_fails_the_node_without_waiting() {
    let inv = inventory(1, 0);
    let fleet = Fleet {
        finalize_fails: ["r1-n1".to_string()].into(),
        ..Fleet::default()
    };
    let master = FakeMaster::new(fleet);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let kind = Kind::OsUpgrade {
        target: "2.0".into(),
        sls: "os".into(),
    };
    let (outcome, j) = run(&inv, &master, &store, Journal::new("t".into(), kind, &inv));
    assert_eq!(outcome, Outcome::Paused("canary r1-n1 failed".into()));
    let detail = &j.node("r1-n1").unwrap().detail;
    assert_eq!(
        detail,
        "finalize failed: exited 1: No staged deployment to finalize"
    );
}
