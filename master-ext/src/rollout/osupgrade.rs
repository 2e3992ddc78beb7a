//! OS upgrades: stage the target image everywhere first (the os-image SLS,
//! no reboot), then batch by batch: pre hooks (cordon/drain), finalize the
//! staged deployment (the node reboots), wait for the node's health report
//! after boot, check that the booted image is the target, post hooks. A
//! node that fails its health gate rolls itself back; when any node of a
//! batch fails, the batch's upgraded nodes are rolled back too.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use halite_api::{Map, Value};
use serde_json::json;

use super::hooks::Phase;
use super::journal::{Kind, NodeState};
use super::states::label;
use super::{verdict, Outcome, Replies, Rollout, RolloutError, LOOKUP_EVERY};

/// The tag the minion's health gate reports on (halite-ostree).
pub const HEALTH_TAG: &str = "halite/ostree/health";

impl Rollout<'_> {
    pub(super) fn run_os_upgrade(&mut self) -> Result<Outcome, RolloutError> {
        let Kind::OsUpgrade { target, sls } = self.journal.kind.clone() else {
            return Ok(Outcome::Done);
        };
        self.reconcile_reboots(&target)?;
        if !self.journal.staged_all {
            self.stage_all(&sls, &target)?;
            self.journal.staged_all = true;
            self.save()?;
        }
        // also after a resume: a budget already spent stops here
        if let Some(reason) = self.pause_reason(false, &[]) {
            self.say(format!("paused: {reason}"));
            return Ok(Outcome::Paused(reason));
        }
        while let Some((rack, batch)) = self.journal.next_batch(NodeState::Staged) {
            let canary = self.journal.is_canary(&rack);
            self.say(format!(
                "rack {rack}: reboot {}{}",
                batch.join(", "),
                if canary { " (canary)" } else { "" }
            ));
            let ready = self.hooks(Phase::Pre, &batch)?;
            if !ready.is_empty() {
                self.reboot_batch(&ready, &target)?;
            }
            if batch.iter().any(|n| self.failed(n)) {
                self.roll_back_batch(&batch)?;
            }
            // uncordon once the batch is judged: the nodes that ended
            // healthy, on the new image or back on the old one
            let healthy: Vec<String> = batch
                .iter()
                .filter(|n| {
                    self.journal
                        .node(n)
                        .is_some_and(|e| matches!(e.state, NodeState::Done | NodeState::RolledBack))
                })
                .cloned()
                .collect();
            self.hooks(Phase::Post, &healthy)?;
            if let Some(reason) = self.pause_reason(canary, &batch) {
                self.say(format!("paused: {reason}"));
                return Ok(Outcome::Paused(reason));
            }
        }
        Ok(Outcome::Done)
    }

    fn failed(&self, node: &str) -> bool {
        self.journal
            .node(node)
            .is_some_and(|n| n.state == NodeState::Failed)
    }

    /// Stage on every pending node, rack by rack (staging does not disrupt).
    fn stage_all(&mut self, sls: &str, target: &str) -> Result<(), RolloutError> {
        let timeout = Duration::from_secs(self.journal.policy.node_timeout);
        let racks: Vec<(String, Vec<String>)> = self
            .journal
            .racks
            .iter()
            .map(|r| {
                let pending = r
                    .nodes
                    .iter()
                    .filter(|n| n.state == NodeState::Pending)
                    .map(|n| n.name.clone())
                    .collect();
                (r.name.clone(), pending)
            })
            .collect();
        for (rack, nodes) in racks.into_iter().filter(|(_, n)| !n.is_empty()) {
            self.say(format!(
                "rack {rack}: stage {target} on {}",
                nodes.join(", ")
            ));
            let Replies { published, answers } =
                self.job(&nodes, "state.sls", &[sls.into()], &Map::new(), timeout)?;
            let mut staged = Vec::new();
            for node in &published {
                match answers
                    .get(node)
                    .map(|a| verdict::states(&a.ret, a.retcode))
                {
                    Some(Ok(_)) => staged.push(node.clone()),
                    Some(Err(why)) => self.set(node, NodeState::Failed, format!("stage: {why}")),
                    None => self.set(
                        node,
                        NodeState::Failed,
                        format!("stage: no return within {} s", timeout.as_secs()),
                    ),
                }
            }
            // already booted into the target: nothing to reboot
            let booted = self.booted(&staged)?;
            for node in staged {
                let (state, detail) = match booted.get(&node) {
                    Some(b) if matches_target(b, target) => {
                        (NodeState::Done, format!("already booted into {target}"))
                    }
                    _ => (NodeState::Staged, format!("{target} staged")),
                };
                self.say(format!("  {node}: {} ({detail})", label(state)));
                self.set(&node, state, detail);
            }
            self.save()?;
        }
        Ok(())
    }

    /// Each node's booted deployment (`rpm_ostree.booted`).
    fn booted(
        &mut self,
        nodes: &[String],
    ) -> Result<std::collections::HashMap<String, Value>, RolloutError> {
        if nodes.is_empty() {
            return Ok(Default::default());
        }
        let timeout = Duration::from_secs(self.journal.policy.node_timeout);
        let Replies { answers, .. } =
            self.job(nodes, "rpm_ostree.booted", &[], &Map::new(), timeout)?;
        Ok(answers.into_iter().map(|(k, a)| (k, a.ret)).collect())
    }

    fn reboot_batch(&mut self, nodes: &[String], target: &str) -> Result<(), RolloutError> {
        let (jid, published) = self.start(nodes, "rpm_ostree.finalize", &[], &Map::new())?;
        let reboots = self.health_reports(&jid, &published);
        let mut healthy = Vec::new();
        for node in &published {
            match reboots.verdict(node, "finalize", self.journal.policy.reboot_timeout) {
                Ok(()) => healthy.push(node.clone()),
                Err(why) => {
                    self.say(format!("  {node}: FAILED ({why})"));
                    self.set(node, NodeState::Failed, why);
                }
            }
        }
        let booted = self.booted(&healthy)?;
        for node in healthy {
            let (state, detail) = match booted.get(&node) {
                Some(b) if matches_target(b, target) => {
                    let seen = if reboots.started.contains(&node) {
                        "restarted"
                    } else {
                        "its start event was not seen"
                    };
                    (NodeState::Done, format!("booted {target}, healthy, {seen}"))
                }
                Some(b) => (
                    NodeState::Failed,
                    format!("healthy, but booted {} instead of {target}", label_of(b)),
                ),
                None => (
                    NodeState::Failed,
                    "no answer to rpm_ostree.booted".to_string(),
                ),
            };
            self.say(format!("  {node}: {} ({detail})", label(state)));
            self.set(&node, state, detail);
        }
        self.save()
    }

    /// Until each node's first health report after its reboot (or its job
    /// `jid` failed at once), `reboot_timeout` at most: the reports, the
    /// failed jobs and which nodes were seen starting.
    fn health_reports(&mut self, jid: &str, nodes: &[String]) -> Reboots {
        let deadline = Instant::now() + Duration::from_secs(self.journal.policy.reboot_timeout);
        let mut out = Reboots::default();
        let ret_prefix = format!("salt/job/{jid}/ret/");
        while nodes.iter().any(|n| !out.settled(n)) {
            let open: Vec<&String> = nodes.iter().filter(|n| !out.settled(n)).collect();
            let started = &out.started;
            let found = self.bus.wait(
                deadline,
                LOOKUP_EVERY,
                |ev| {
                    let id = ev.minion()?;
                    if !open.iter().any(|n| n.as_str() == id) {
                        return None;
                    }
                    if ev.tag == format!("salt/minion/{id}/start") && !started.contains(id) {
                        return Some((id.to_string(), Seen::Started));
                    }
                    if ev.tag.strip_prefix(&ret_prefix) == Some(id) {
                        let code = ev.data.get("retcode").and_then(Value::as_i64).unwrap_or(0);
                        if code == 0 {
                            return None; // it returned before rebooting: wait on
                        }
                        let said = ev.data.get("return").map(first_text).unwrap_or_default();
                        return Some((
                            id.to_string(),
                            Seen::JobFailed(format!("exited {code}: {said}")),
                        ));
                    }
                    if ev.tag != HEALTH_TAG {
                        return None;
                    }
                    // a minion's event comes in the master's `_minion_event`
                    // envelope: the report is its `data`
                    let report = ev
                        .data
                        .get("data")
                        .filter(|d| d.is_object())
                        .unwrap_or(&ev.data);
                    Some((id.to_string(), Seen::Report(report.clone())))
                },
                || None,
            );
            match found {
                Some((id, Seen::Started)) => {
                    out.started.insert(id);
                }
                Some((id, Seen::Report(report))) => {
                    out.reports.insert(id, report);
                }
                Some((id, Seen::JobFailed(why))) => {
                    out.failed_jobs.insert(id, why);
                }
                None => break,
            }
        }
        out
    }

    /// The batch's nodes that upgraded go back to their previous image:
    /// rolled back once they report healthy after that reboot.
    fn roll_back_batch(&mut self, batch: &[String]) -> Result<(), RolloutError> {
        let upgraded: Vec<String> = batch
            .iter()
            .filter(|n| {
                self.journal
                    .node(n)
                    .is_some_and(|e| e.state == NodeState::Done)
            })
            .cloned()
            .collect();
        if upgraded.is_empty() {
            return Ok(());
        }
        self.say(format!(
            "rolling back {} (their batch failed)",
            upgraded.join(", ")
        ));
        let mut kwargs = Map::new();
        kwargs.insert("reboot".into(), true.into());
        let (jid, published) = self.start(&upgraded, "rpm_ostree.rollback", &[], &kwargs)?;
        let reboots = self.health_reports(&jid, &published);
        for node in &published {
            let (state, detail) =
                match reboots.verdict(node, "rollback", self.journal.policy.reboot_timeout) {
                    Ok(()) => (
                        NodeState::RolledBack,
                        "rolled back with its batch; healthy on the previous image".to_string(),
                    ),
                    Err(why) => (NodeState::Failed, format!("rollback with its batch: {why}")),
                };
            self.say(format!("  {node}: {} ({detail})", label(state)));
            self.set(node, state, detail);
        }
        self.save()
    }

    /// Nodes a dead controller left rebooting: the booted image and the
    /// health grain the gate set at this boot decide.
    fn reconcile_reboots(&mut self, target: &str) -> Result<(), RolloutError> {
        let running: Vec<String> = self
            .journal
            .racks
            .iter()
            .flat_map(|r| &r.nodes)
            .filter(|n| n.state == NodeState::Running)
            .map(|n| n.name.clone())
            .collect();
        if running.is_empty() {
            return Ok(());
        }
        let booted = self.booted(&running)?;
        let timeout = Duration::from_secs(self.journal.policy.node_timeout);
        let on_target: Vec<String> = running
            .iter()
            .filter(|n| booted.get(*n).is_some_and(|b| matches_target(b, target)))
            .cloned()
            .collect();
        let health = if on_target.is_empty() {
            HashMap::new()
        } else {
            let args = [Value::from("ostree_health")];
            self.job(&on_target, "grains.get", &args, &Map::new(), timeout)?
                .answers
        };
        let mut done = Vec::new();
        for node in running {
            let grain = health.get(&node).and_then(|a| a.ret.as_str()).unwrap_or("");
            let (state, detail) = match (on_target.contains(&node), grain) {
                (true, "good") => (
                    NodeState::Done,
                    format!("booted {target}, healthy (found on resume)"),
                ),
                (true, "rolled-back" | "failed") => (
                    NodeState::Failed,
                    format!("health gate {grain} (found on resume)"),
                ),
                // not (yet) on the target or not judged: stage again, then
                // reboot in its batch
                _ => (NodeState::Pending, String::new()),
            };
            if state == NodeState::Pending {
                self.journal.staged_all = false;
            }
            if state == NodeState::Done {
                done.push(node.clone());
            }
            self.say(format!("resume: {node}: {}", label(state)));
            self.set(&node, state, detail);
        }
        self.save()?;
        self.hooks(Phase::Post, &done)?;
        Ok(())
    }
}

/// What a wait on rebooting nodes saw of one node.
enum Seen {
    Started,
    Report(Value),
    JobFailed(String),
}

/// What came back from rebooting nodes.
#[derive(Default)]
struct Reboots {
    /// Node -> its first health report after the reboot.
    reports: HashMap<String, Value>,
    /// Node -> why its finalize/rollback job failed at once.
    failed_jobs: HashMap<String, String>,
    /// Nodes whose start event was seen.
    started: HashSet<String>,
}

impl Reboots {
    fn settled(&self, node: &str) -> bool {
        self.reports.contains_key(node) || self.failed_jobs.contains_key(node)
    }

    /// `Ok` when the node reported `good`; else why not.
    fn verdict(&self, node: &str, job: &str, timeout: u64) -> Result<(), String> {
        if let Some(why) = self.failed_jobs.get(node) {
            return Err(format!("{job} failed: {why}"));
        }
        match self.reports.get(node) {
            Some(r) if r["status"] == json!("good") => Ok(()),
            Some(r) => Err(format!(
                "health gate {}: {}{}",
                r["status"].as_str().unwrap_or("?"),
                r["message"].as_str().unwrap_or(""),
                checks(r)
            )),
            None => Err(format!("no health report within {timeout} s of the reboot")),
        }
    }
}

fn first_text(v: &Value) -> String {
    let text = v.as_str().map_or_else(|| v.to_string(), str::to_string);
    text.lines()
        .next()
        .unwrap_or("")
        .chars()
        .take(200)
        .collect()
}

/// Does an `rpm_ostree.booted` summary show the target (version, checksum,
/// base checksum, image digest or origin)?
pub fn matches_target(booted: &Value, target: &str) -> bool {
    [
        "version",
        "checksum",
        "base_checksum",
        "image_digest",
        "origin",
    ]
    .iter()
    .any(|k| booted.get(*k).and_then(Value::as_str) == Some(target))
}

fn label_of(b: &Value) -> String {
    b.get("version")
        .and_then(Value::as_str)
        .or_else(|| b.get("checksum").and_then(Value::as_str))
        .unwrap_or("nothing")
        .to_string()
}

fn checks(r: &Value) -> String {
    match r.get("failed_checks").and_then(Value::as_array) {
        Some(a) if !a.is_empty() => {
            let list: Vec<&str> = a.iter().filter_map(Value::as_str).collect();
            format!(" [{}]", list.join("; "))
        }
        _ => String::new(),
    }
}
