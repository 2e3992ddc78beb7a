//! Pre/post node hooks: the pluggable cordon/drain step. A hook is a shell
//! command run on the controller with the node in its environment
//! (`HALITE_NODE`, `HALITE_NODE_IP`, `HALITE_RACK`, `HALITE_PHASE` =
//! pre|post, `HALITE_ROLLOUT` = the rollout's kind); exit 0 lets the
//! rollout go on, anything else fails the node (docs/controller.md).

use std::time::Duration;

use halite_api::{CmdSpec, CommandRunner, SystemRunner};

use crate::inventory::Hooks;

/// Which side of a node's change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Pre,
    Post,
}

impl Phase {
    fn name(self) -> &'static str {
        match self {
            Phase::Pre => "pre",
            Phase::Post => "post",
        }
    }
}

/// The node a hook is about.
pub struct HookNode<'a> {
    pub name: &'a str,
    pub ip: String,
    pub rack: &'a str,
}

/// Run the configured hook of `phase` for `node`; `Err` says why it failed.
pub fn run(hooks: &Hooks, phase: Phase, node: &HookNode<'_>, rollout: &str) -> Result<(), String> {
    let cmd = match phase {
        Phase::Pre => hooks.pre_node.as_deref(),
        Phase::Post => hooks.post_node.as_deref(),
    };
    let Some(cmd) = cmd else { return Ok(()) };
    let mut spec = CmdSpec::shell("/bin/sh", cmd);
    spec.timeout = Some(Duration::from_secs(hooks.timeout.unwrap_or(600)));
    for (k, v) in [
        ("HALITE_NODE", node.name.to_string()),
        ("HALITE_NODE_IP", node.ip.clone()),
        ("HALITE_RACK", node.rack.to_string()),
        ("HALITE_PHASE", phase.name().to_string()),
        ("HALITE_ROLLOUT", rollout.to_string()),
    ] {
        spec.env.insert(k.into(), v);
    }
    let out = SystemRunner
        .run(&spec)
        .map_err(|e| format!("{} hook: {e}", phase.name()))?;
    if out.timed_out {
        return Err(format!("{} hook timed out: {cmd}", phase.name()));
    }
    if out.retcode != 0 {
        let said = String::from_utf8_lossy(&out.stderr);
        return Err(format!(
            "{} hook exited {}: {cmd}{}",
            phase.name(),
            out.retcode,
            said.lines()
                .last()
                .map(|l| format!(" ({l})"))
                .unwrap_or_default()
        ));
    }
    Ok(())
}
