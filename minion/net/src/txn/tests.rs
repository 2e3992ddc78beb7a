//! Transactions against an in-memory host that carries ops out on a model.

use super::*;
use crate::model::{Addr, Link, Neighbour};
use crate::plan::moved::{self, MoveSpec};
use crate::plan::testdata::{fresh_node, link};
use crate::NetError;
use halite_api::runner::{CmdOutput, CmdSpec, RunError};
use std::collections::BTreeMap;
use std::sync::Mutex;

#[derive(Default)]
struct ModelHost {
    net: Mutex<Observed>,
    sysctls: Mutex<BTreeMap<String, String>>,
    applied: Mutex<Vec<String>>,
    fail_on: Option<String>,
}

impl NetHost for ModelHost {
    fn observe(&self, _: Option<&str>) -> Result<Observed, NetError> {
        Ok(self.net.lock().unwrap().clone())
    }
    fn neighbours(&self) -> Result<Vec<Neighbour>, NetError> {
        Ok(vec![])
    }
    fn sysctl(&self, key: &str) -> Result<Option<String>, NetError> {
        Ok(self.sysctls.lock().unwrap().get(key).cloned())
    }
    fn apply(&self, op: &Op) -> Result<(), NetError> {
        if self.fail_on.as_deref() == Some(op.to_string().as_str()) {
            return Err(NetError::Invalid("injected failure".into()));
        }
        self.applied.lock().unwrap().push(op.to_string());
        let mut net = self.net.lock().unwrap();
        match op.clone() {
            Op::CreateBridge { name, mac } => net.links.push(Link {
                mac: mac.unwrap_or_default(),
                ..link(&name, 9, "bridge", None)
            }),
            Op::DeleteLink { name } => net.links.retain(|l| l.name != name),
            Op::SetMaster { name, master } => {
                net.links
                    .iter_mut()
                    .find(|l| l.name == name)
                    .unwrap()
                    .master = master
            }
            Op::AddAddr { dev, cidr } if net.has_addr(&dev, cidr) => {
                return Err(errno(libc::EEXIST))
            }
            Op::DelAddr { dev, cidr } if !net.has_addr(&dev, cidr) => {
                return Err(errno(libc::EADDRNOTAVAIL))
            }
            Op::AddAddr { dev, cidr } => net.addrs.push(Addr { dev, cidr }),
            Op::DelAddr { dev, cidr } => net.addrs.retain(|a| !(a.dev == dev && a.cidr == cidr)),
            Op::ReplaceRoute { route } => {
                net.routes.retain(|r| !r.same_key(&route));
                net.routes.push(route);
            }
            Op::DelRoute { route } => net.routes.retain(|r| !r.same_key(&route)),
            Op::Sysctl { key, value } => {
                self.sysctls.lock().unwrap().insert(key, value);
            }
            _ => {}
        }
        Ok(())
    }
}

fn errno(n: i32) -> NetError {
    NetError::Kernel {
        op: "fake".into(),
        errno: Some(n),
        message: std::io::Error::from_raw_os_error(n).to_string(),
    }
}

/// Answers pings with `ping_rc`, starts detached processes by recording them.
struct Runner {
    ping_rc: i32,
    spawned: Mutex<Vec<Vec<String>>>,
}

impl CommandRunner for Runner {
    fn run(&self, spec: &CmdSpec) -> Result<CmdOutput, RunError> {
        Ok(CmdOutput {
            retcode: if spec.argv[0] == "ping" {
                self.ping_rc
            } else {
                0
            },
            ..Default::default()
        })
    }
    fn spawn_detached(&self, argv: &[String]) -> Result<(), RunError> {
        self.spawned.lock().unwrap().push(argv.to_vec());
        Ok(())
    }
}

fn node_with_bridge() -> ModelHost {
    let mut net = fresh_node();
    net.links.push(link("orb0", 3, "bridge", None));
    ModelHost {
        net: Mutex::new(net),
        ..Default::default()
    }
}

fn move_to(gateway: &str) -> MoveSpec {
    MoveSpec {
        address: "10.9.4.11/22".parse().unwrap(),
        from: "eth0".into(),
        to: "orb0".into(),
        gateway: Some(gateway.parse().unwrap()),
    }
}

fn sorted(mut o: Observed) -> Observed {
    o.addrs.sort();
    o.routes.sort_by_key(|r| r.to_string());
    o
}

fn run(host: &ModelHost, ping_rc: i32, gateway: &str) -> (Outcome, Vec<Vec<String>>, PathBuf) {
    let dir = tempfile::tempdir().unwrap().keep();
    let runner = Runner {
        ping_rc,
        spawned: Mutex::new(vec![]),
    };
    let env = Env {
        host,
        runner: &runner,
        dir: dir.clone(),
        watchdog_exe: "/usr/bin/halite".into(),
    };
    let snapshot = host.observe(None).unwrap();
    let plan = moved::plan(&snapshot, &move_to(gateway)).unwrap();
    let confirm = ConfirmSpec {
        checks: vec![],
        timeout: Duration::from_millis(300),
    };
    let outcome = apply(&env, "address_moved", &snapshot, &plan, &confirm);
    let spawned = runner.spawned.into_inner().unwrap();
    (outcome, spawned, dir)
}

#[test]
fn a_confirmed_change_stays_and_leaves_no_record() {
    let host = node_with_bridge();
    let (outcome, spawned, dir) = run(&host, 0, "10.9.4.1");
    let Outcome::Confirmed { applied, verdict } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(applied.len(), 4);
    assert_eq!(verdict.passed, [Check::Ping("10.9.4.1".parse().unwrap())]);
    assert_eq!(spawned[0][1], "net-watchdog");
    assert!(record::pending_in(&dir).is_empty());
    let net = host.observe(None).unwrap();
    assert!(net.has_addr("orb0", "10.9.4.11/22".parse().unwrap()));
    assert!(!net.has_addr("eth0", "10.9.4.11/22".parse().unwrap()));
}

#[test]
fn an_unconfirmed_change_is_rolled_back_to_the_snapshot() {
    let host = node_with_bridge();
    let before = sorted(host.observe(None).unwrap());
    let (outcome, _, dir) = run(&host, 1, "10.9.4.99");
    let Outcome::Unconfirmed { verdict, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(verdict.failed, [Check::Ping("10.9.4.99".parse().unwrap())]);
    assert_eq!(sorted(host.observe(None).unwrap()), before);
    assert!(record::pending_in(&dir).is_empty());
}

#[test]
fn a_failed_step_rolls_back_what_came_before() {
    let mut host = node_with_bridge();
    host.fail_on = Some("ip addr del 10.9.4.11/22 dev eth0".into());
    let before = sorted(host.observe(None).unwrap());
    let (outcome, _, _) = run(&host, 0, "10.9.4.1");
    let Outcome::StepFailed { applied, error, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(applied.len(), 3);
    assert_eq!(error, "injected failure");
    assert_eq!(sorted(host.observe(None).unwrap()), before);
}

#[test]
fn a_record_left_by_a_dead_applier_is_rolled_back_at_start() {
    let host = node_with_bridge();
    let before = sorted(host.observe(None).unwrap());
    let snapshot = host.observe(None).unwrap();
    let plan = moved::plan(&snapshot, &move_to("10.9.4.1")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let record = new_record(
        "address_moved orb0",
        &snapshot,
        &plan,
        Duration::from_secs(30),
    );
    // the applier got two steps in, then died (its lock went with it)
    drop(Held::create(dir.path(), &record).unwrap());
    for step in &plan.steps[..2] {
        host.apply(&step.op).unwrap();
    }
    let lines = recover(&host, dir.path());
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("'address_moved orb0'"));
    assert_eq!(sorted(host.observe(None).unwrap()), before);
    assert!(record::pending_in(dir.path()).is_empty());
    assert!(dir
        .path()
        .join(format!("{}.rolledback", record.id))
        .exists());
}
