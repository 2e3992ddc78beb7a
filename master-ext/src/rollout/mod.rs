//! Rollouts through the master, rack by rack in inventory order: each
//! rack's canary alone, then at most `max_unavailable` nodes at once, every
//! node's return judged by the controller itself (a silent node is a failed
//! node), a failure budget that pauses the rollout, and a journal written
//! after every step so `--resume` continues after the controller's crash.
//! Highstate/SLS rollouts are in [`states`], OS upgrades in [`osupgrade`].

pub mod bus;
pub mod hooks;
pub mod journal;
pub mod osupgrade;
pub mod plan;
pub mod states;
pub mod verdict;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use halite_api::{Map, Value};

use crate::inventory::Inventory;
pub use crate::master::Answer;
use crate::master::{Master, MasterError};
use bus::Bus;
use hooks::{HookNode, Phase};
use journal::{Journal, Kind, NodeState, Status, Store, StoreError};

/// How often the job cache is asked while waiting for returns (events
/// can be missed while the event stream reconnects).
const LOOKUP_EVERY: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum RolloutError {
    #[error(transparent)]
    Master(#[from] MasterError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How a run of the controller ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done,
    Paused(String),
}

/// What a job got: the nodes it was published to and their answers.
struct Replies {
    published: Vec<String>,
    answers: HashMap<String, Answer>,
}

/// A rollout in progress.
pub struct Rollout<'a> {
    pub inv: &'a Inventory,
    pub master: &'a dyn Master,
    pub bus: Bus,
    pub store: &'a Store,
    pub journal: Journal,
    /// Called with one line per step (the progress display).
    pub progress: &'a dyn Fn(&str),
}

impl Rollout<'_> {
    /// Run to the end or to a pause.
    pub fn run(&mut self) -> Result<Outcome, RolloutError> {
        self.journal.status = Status::Running;
        self.journal.reason.clear();
        self.save()?;
        let outcome = match self.journal.kind.clone() {
            Kind::Highstate | Kind::Sls { .. } => self.run_states()?,
            Kind::OsUpgrade { .. } => self.run_os_upgrade()?,
        };
        match &outcome {
            Outcome::Done => self.journal.status = Status::Done,
            Outcome::Paused(reason) => {
                self.journal.status = Status::Paused;
                self.journal.reason = reason.clone();
            }
        }
        self.save()?;
        Ok(outcome)
    }

    fn save(&self) -> Result<(), RolloutError> {
        Ok(self.store.save(&self.journal)?)
    }

    fn say(&self, line: String) {
        tracing::info!("{line}");
        (self.progress)(&line);
    }

    fn set(&mut self, node: &str, state: NodeState, detail: String) {
        if let Some(n) = self.journal.node_mut(node) {
            n.state = state;
            n.detail = detail;
        }
    }

    fn set_jid(&mut self, nodes: &[String], jid: &str) {
        for n in nodes {
            if let Some(e) = self.journal.node_mut(n) {
                e.state = NodeState::Running;
                e.jid = Some(jid.to_string());
            }
        }
    }

    fn hook_node(&self, name: &str) -> Option<(String, String)> {
        self.inv
            .nodes()
            .find(|(_, n)| n.name == name)
            .map(|(r, n)| (r.name.clone(), n.ip.to_string()))
    }

    /// Run a hook for each node; returns those it let through (the others failed).
    fn hooks(&mut self, phase: Phase, nodes: &[String]) -> Result<Vec<String>, RolloutError> {
        let mut through = Vec::new();
        let kind = self.journal.kind.to_string();
        for name in nodes {
            let Some((rack, ip)) = self.hook_node(name) else {
                self.set(name, NodeState::Failed, "not in the inventory".into());
                continue;
            };
            let node = HookNode {
                name,
                ip,
                rack: &rack,
            };
            match hooks::run(&self.inv.fleet.hooks, phase, &node, &kind) {
                Ok(()) => through.push(name.clone()),
                Err(why) => {
                    self.say(format!("{name}: {why}"));
                    self.set(name, NodeState::Failed, why);
                }
            }
        }
        self.save()?;
        Ok(through)
    }

    /// Start `fun` on `nodes`: the jid and the nodes it was published to;
    /// nodes the master does not know (no accepted key) fail at once.
    fn start(
        &mut self,
        nodes: &[String],
        fun: &str,
        args: &[Value],
        kwargs: &Map,
    ) -> Result<(String, Vec<String>), RolloutError> {
        // write-ahead: the jid is journaled before the job exists, so a
        // controller killed in between finds the job (or its absence)
        let jid = halite_daemon::jid::gen_jid();
        self.set_jid(nodes, &jid);
        self.save()?;
        let job = self
            .master
            .start_job(nodes, fun, args, kwargs, Some(&jid))?;
        for node in job.unknown(nodes) {
            let why = format!("the master did not publish {fun} to it (no accepted key?)");
            self.say(format!("  {node}: FAILED ({why})"));
            self.set(node, NodeState::Failed, why);
        }
        let published = nodes
            .iter()
            .filter(|n| job.minions.contains(n))
            .cloned()
            .collect();
        Ok((job.jid, published))
    }

    /// [`Rollout::start`], then wait for the answers (`timeout` for all, in
    /// parallel); published nodes missing from the map did not answer.
    fn job(
        &mut self,
        nodes: &[String],
        fun: &str,
        args: &[Value],
        kwargs: &Map,
        timeout: Duration,
    ) -> Result<Replies, RolloutError> {
        let (jid, published) = self.start(nodes, fun, args, kwargs)?;
        let answers = self.answers(&jid, &published, timeout);
        Ok(Replies { published, answers })
    }

    /// Collect `jid`'s returns from `nodes`: events first, the job cache
    /// every few seconds and once more at the deadline.
    fn answers(
        &mut self,
        jid: &str,
        nodes: &[String],
        timeout: Duration,
    ) -> HashMap<String, Answer> {
        let deadline = Instant::now() + timeout;
        let mut got = HashMap::new();
        let prefix = format!("salt/job/{jid}/ret/");
        while got.len() < nodes.len() {
            let master = self.master;
            let missing: Vec<String> = nodes
                .iter()
                .filter(|n| !got.contains_key(*n))
                .cloned()
                .collect();
            let found = self.bus.wait(
                deadline,
                LOOKUP_EVERY,
                |ev| {
                    let id = ev.tag.strip_prefix(&prefix)?;
                    missing.iter().any(|n| n == id).then(|| {
                        vec![(
                            id.to_string(),
                            Answer {
                                ret: ev.data.get("return").cloned().unwrap_or(Value::Null),
                                retcode: ev.data.get("retcode").and_then(Value::as_i64),
                            },
                        )]
                    })
                },
                || {
                    let mut cached = master.job_returns(jid).ok()?;
                    let found: Vec<(String, Answer)> = missing
                        .iter()
                        .filter_map(|n| cached.remove(n).map(|a| (n.clone(), a)))
                        .collect();
                    (!found.is_empty()).then_some(found)
                },
            );
            match found {
                Some(list) => got.extend(list),
                None => break,
            }
        }
        got
    }

    /// Pause when the budget is spent or a canary failed.
    fn pause_reason(&self, canary: bool, batch: &[String]) -> Option<String> {
        let failed: Vec<&str> = batch
            .iter()
            .filter(|n| {
                self.journal
                    .node(n)
                    .is_some_and(|e| e.state == NodeState::Failed)
            })
            .map(String::as_str)
            .collect();
        if canary && !failed.is_empty() {
            return Some(format!("canary {} failed", failed.join(", ")));
        }
        let total = self.journal.failures();
        let budget = self.journal.policy.failure_budget;
        (total > budget).then(|| {
            format!(
                "failure budget {budget} exceeded: {total} node(s) failed (last: {})",
                failed.join(", ")
            )
        })
    }
}

/// Start a rollout: a fresh journal, or (`resume`) the one on disk. A
/// paused rollout resumed retries its failed and rolled-back nodes (the
/// pause was for a human to mend them); one whose controller died keeps them.
pub fn prepare(
    store: &Store,
    inv: &Inventory,
    kind: Kind,
    resume: bool,
) -> Result<Journal, String> {
    let existing = Store::read(&store.dir).map_err(|e| e.to_string())?;
    match (existing, resume) {
        (Some(mut j), true) => {
            check_resumable(&j, inv, &kind)?;
            let retry =
                j.status == Status::Paused || (j.status == Status::Done && j.failures() > 0);
            if j.status == Status::Done && !retry {
                return Err(format!("rollout {} ({}) is already done", j.id, j.kind));
            }
            if retry {
                let mut retried = false;
                for n in j.racks.iter_mut().flat_map(|r| r.nodes.iter_mut()) {
                    if matches!(n.state, NodeState::Failed | NodeState::RolledBack) {
                        n.state = NodeState::Pending;
                        retried = true;
                    }
                }
                // an OS upgrade re-stages the retried nodes first
                j.staged_all &= !retried;
            }
            Ok(j)
        }
        (None, true) => Err(format!("no rollout to resume in {}", store.dir.display())),
        (Some(j), false) if j.status != Status::Done => Err(format!(
            "rollout {} ({}) is {}: resume it with --resume, or remove {}",
            j.id,
            j.kind,
            match j.status {
                Status::Paused => format!("paused ({})", j.reason),
                _ => "unfinished".to_string(),
            },
            Store::path(&store.dir).display()
        )),
        _ => Ok(Journal::new(rollout_id(), kind, inv)),
    }
}

/// A journal resumes only as what it was and over the same nodes.
fn check_resumable(j: &Journal, inv: &Inventory, kind: &Kind) -> Result<(), String> {
    if j.kind != *kind {
        return Err(format!(
            "the journal's rollout {} is {}, not {kind}: resume it as that",
            j.id, j.kind
        ));
    }
    let journaled: Vec<(&str, &str)> = j
        .racks
        .iter()
        .flat_map(|r| {
            r.nodes
                .iter()
                .map(move |n| (r.name.as_str(), n.name.as_str()))
        })
        .collect();
    let inventory: Vec<(&str, &str)> = inv
        .nodes()
        .map(|(r, n)| (r.name.as_str(), n.name.as_str()))
        .collect();
    if journaled != inventory {
        return Err(format!(
            "the inventory's racks and nodes are not the ones rollout {} started with; finish it with that inventory, or remove the journal to start anew",
            j.id
        ));
    }
    Ok(())
}

fn rollout_id() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format!("r{secs}")
}

#[cfg(test)]
mod tests;
