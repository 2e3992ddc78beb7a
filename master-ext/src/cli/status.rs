//! `halite-ctl status`: the journal per rack, as a table or JSON.

use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use crate::rollout::journal::{Journal, NodeState, Status, Store};

#[derive(Args, Debug)]
pub struct StatusArgs {
    #[arg(long, default_value = "/var/lib/halite-ctl")]
    pub state_dir: PathBuf,
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: &StatusArgs) -> anyhow::Result<i32> {
    let Some(j) = Store::read(&a.state_dir)? else {
        println!("no rollout in {}", a.state_dir.display());
        return Ok(0);
    };
    if a.json {
        println!("{}", serde_json::to_string_pretty(&as_json(&j))?);
    } else {
        print_table(&j);
    }
    Ok(0)
}

fn count(j: &Journal, rack: usize, states: &[NodeState]) -> usize {
    j.racks[rack]
        .nodes
        .iter()
        .filter(|n| states.contains(&n.state))
        .count()
}

/// A rack's state in one word.
pub fn rack_state(j: &Journal, rack: usize) -> &'static str {
    let nodes = &j.racks[rack].nodes;
    let failed = count(j, rack, &[NodeState::Failed, NodeState::RolledBack]);
    if nodes.iter().all(|n| n.state == NodeState::Done) {
        "done"
    } else if failed > 0 {
        "failed"
    } else if nodes
        .iter()
        .any(|n| matches!(n.state, NodeState::Done | NodeState::Running))
    {
        "in-progress"
    } else {
        "pending"
    }
}

pub fn as_json(j: &Journal) -> serde_json::Value {
    let racks: Vec<_> = j
        .racks
        .iter()
        .enumerate()
        .map(|(i, r)| {
            json!({
                "rack": r.name,
                "state": rack_state(j, i),
                "done": count(j, i, &[NodeState::Done]),
                "running": count(j, i, &[NodeState::Running]),
                "failed": count(j, i, &[NodeState::Failed, NodeState::RolledBack]),
                "pending": count(j, i, &[NodeState::Pending, NodeState::Staged]),
                "nodes": r.nodes,
            })
        })
        .collect();
    json!({
        "id": j.id,
        "kind": j.kind.to_string(),
        "status": j.status,
        "reason": j.reason,
        "failures": j.failures(),
        "failure_budget": j.policy.failure_budget,
        "racks": racks,
    })
}

pub fn print_table(j: &Journal) {
    let status = match j.status {
        Status::Running => "running".to_string(),
        Status::Paused => format!("PAUSED: {}", j.reason),
        Status::Done => "done".to_string(),
    };
    println!("rollout {} ({}): {status}", j.id, j.kind);
    println!(
        "{:<12} {:<12} {:>5} {:>8} {:>7} {:>8}",
        "RACK", "STATE", "DONE", "RUNNING", "FAILED", "PENDING"
    );
    for (i, r) in j.racks.iter().enumerate() {
        println!(
            "{:<12} {:<12} {:>5} {:>8} {:>7} {:>8}",
            r.name,
            rack_state(j, i),
            count(j, i, &[NodeState::Done]),
            count(j, i, &[NodeState::Running]),
            count(j, i, &[NodeState::Failed, NodeState::RolledBack]),
            count(j, i, &[NodeState::Pending, NodeState::Staged]),
        );
    }
    for n in j.racks.iter().flat_map(|r| &r.nodes) {
        if matches!(n.state, NodeState::Failed | NodeState::RolledBack) {
            println!("  {}: {}", n.name, n.detail);
        }
    }
}
