//! Highstate and SLS rollouts: batch by batch, pre hooks, one
//! `state.apply`/`state.sls` job for the batch, every node's return judged,
//! post hooks, journal saved, pause checked.

use std::time::Duration;

use halite_api::{Map, Value};

use super::hooks::Phase;
use super::journal::{Kind, NodeState};
use super::{verdict, Outcome, Rollout, RolloutError};

impl Rollout<'_> {
    pub(super) fn run_states(&mut self) -> Result<Outcome, RolloutError> {
        self.reconcile_states()?;
        let (fun, args) = match &self.journal.kind {
            Kind::Sls { name } => ("state.sls", vec![Value::from(name.clone())]),
            _ => ("state.apply", Vec::new()),
        };
        let timeout = Duration::from_secs(self.journal.policy.node_timeout);
        // after a crash the budget may already be spent
        if let Some(reason) = self.pause_reason(false, &[]) {
            self.say(format!("paused: {reason}"));
            return Ok(Outcome::Paused(reason));
        }
        while let Some((rack, batch)) = self.journal.next_batch(NodeState::Pending) {
            let canary = self.journal.is_canary(&rack);
            self.say(format!(
                "rack {rack}: {}{}",
                batch.join(", "),
                if canary { " (canary)" } else { "" }
            ));
            let ready = self.hooks(Phase::Pre, &batch)?;
            if !ready.is_empty() {
                let (jid, published) = self.start(&ready, fun, &args, &Map::new())?;
                self.save()?;
                let answers = self.answers(&jid, &published, timeout);
                let mut passed = Vec::new();
                for node in &published {
                    let (state, detail) = match answers.get(node) {
                        Some(a) => match verdict::states(&a.ret, a.retcode) {
                            Ok(summary) => (NodeState::Done, summary),
                            Err(why) => (NodeState::Failed, why),
                        },
                        None => (
                            NodeState::Failed,
                            format!("no return within {} s", timeout.as_secs()),
                        ),
                    };
                    self.say(format!("  {node}: {} ({detail})", label(state)));
                    if state == NodeState::Done {
                        passed.push(node.clone());
                    }
                    self.set(node, state, detail);
                }
                self.save()?;
                self.hooks(Phase::Post, &passed)?;
            }
            if let Some(reason) = self.pause_reason(canary, &batch) {
                self.say(format!("paused: {reason}"));
                return Ok(Outcome::Paused(reason));
            }
        }
        Ok(Outcome::Done)
    }

    /// Nodes a dead controller left running: their job's return decides;
    /// without one they run again (a state run is idempotent).
    fn reconcile_states(&mut self) -> Result<(), RolloutError> {
        let running: Vec<(String, String)> = self
            .journal
            .racks
            .iter()
            .flat_map(|r| &r.nodes)
            .filter(|n| n.state == NodeState::Running)
            .map(|n| (n.name.clone(), n.jid.clone().unwrap_or_default()))
            .collect();
        let timeout = Duration::from_secs(self.journal.policy.node_timeout);
        let mut done = Vec::new();
        for (node, jid) in running {
            // a jid the master never saw: the controller died before publishing
            let published = !jid.is_empty() && self.master.job_known(&jid)?;
            let answer = if !published {
                None
            } else {
                self.answers(&jid, std::slice::from_ref(&node), timeout)
                    .remove(&node)
            };
            let (state, detail) = match answer {
                Some(a) => match verdict::states(&a.ret, a.retcode) {
                    Ok(s) => (NodeState::Done, format!("{s} (job {jid}, found on resume)")),
                    Err(why) => (NodeState::Failed, why),
                },
                None => (NodeState::Pending, String::new()),
            };
            self.say(format!("resume: {node} job {jid}: {}", label(state)));
            if state == NodeState::Done {
                done.push(node.clone());
            }
            self.set(&node, state, detail);
        }
        self.save()?;
        // their pre hook ran before the controller died: uncordon them
        self.hooks(Phase::Post, &done)?;
        Ok(())
    }
}

pub(super) fn label(state: NodeState) -> &'static str {
    match state {
        NodeState::Pending => "pending",
        NodeState::Running => "running",
        NodeState::Staged => "staged",
        NodeState::Done => "done",
        NodeState::Failed => "FAILED",
        NodeState::RolledBack => "rolled back",
    }
}
