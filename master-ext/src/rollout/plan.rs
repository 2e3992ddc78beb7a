//! `--dry-run`: the batches a rollout would run, in order, if every node
//! succeeded, computed by the same batch rule the rollout uses.

use super::journal::{Journal, Kind, NodeState};

/// One line per step.
pub fn describe(j: &Journal) -> Vec<String> {
    let mut sim = j.clone();
    let mut out = vec![format!(
        "rollout {} ({}): max_unavailable {}, failure budget {}, canary {}",
        sim.id,
        sim.kind,
        sim.policy.max_unavailable,
        sim.policy.failure_budget,
        if sim.policy.canary { "on" } else { "off" }
    )];
    let os = matches!(sim.kind, Kind::OsUpgrade { .. });
    let ready = if os {
        NodeState::Staged
    } else {
        NodeState::Pending
    };
    if os && !sim.staged_all {
        for rack in &mut sim.racks {
            let names: Vec<String> = rack
                .nodes
                .iter_mut()
                .filter(|n| n.state == NodeState::Pending)
                .map(|n| {
                    n.state = NodeState::Staged;
                    n.name.clone()
                })
                .collect();
            if !names.is_empty() {
                out.push(format!(
                    "stage  rack {}: {} (no reboot)",
                    rack.name,
                    names.join(", ")
                ));
            }
        }
    }
    let verb = if os { "reboot" } else { "apply " };
    let mut step = 1;
    while let Some((rack, batch)) = sim.next_batch(ready) {
        let canary = if sim.is_canary(&rack) {
            " (canary)"
        } else {
            ""
        };
        out.push(format!(
            "{verb} {step:>3}. rack {rack}: {}{canary}",
            batch.join(", ")
        ));
        for n in &batch {
            if let Some(e) = sim.node_mut(n) {
                e.state = NodeState::Done;
            }
        }
        step += 1;
    }
    let done = j
        .racks
        .iter()
        .flat_map(|r| &r.nodes)
        .filter(|n| n.state.finished())
        .count();
    if done > 0 {
        out.push(format!("({done} node(s) already finished are skipped)"));
    }
    out
}
