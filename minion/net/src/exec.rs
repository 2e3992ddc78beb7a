//! Execution functions: `halite_net.show` (the node's links, addresses,
//! routes and neighbours as data), `halite_net.pending` (unconfirmed changes
//! and rollbacks done by the watchdog or at restart), `halite_net.recover`
//! (roll back what nobody holds), and Salt's `openvswitch.*` readers.

use crate::netlink::{Kernel, NetHost};
use crate::ovs::Ovs;
use crate::txn;
use halite_api::{ExecCall, ExecError, ExecOutput, ExecSpec, Value};
use serde_json::json;

pub const FUNCTIONS: &[ExecSpec] = &[
    ExecSpec {
        name: "halite_net.show",
        doc: "Links, IPv4 addresses, main-table routes and neighbours of the node (netns=NAME for another namespace).",
        run: show,
    },
    ExecSpec {
        name: "halite_net.pending",
        doc: "Network changes not yet confirmed, and rollbacks done by the watchdog or at restart.",
        run: pending,
    },
    ExecSpec {
        name: "halite_net.recover",
        doc: "Roll back every unconfirmed network change whose applier is gone (done at every start).",
        run: recover,
    },
    ExecSpec {
        name: "openvswitch.bridge_exists",
        doc: "True if the Open vSwitch bridge exists.",
        run: ovs_bridge_exists,
    },
    ExecSpec {
        name: "openvswitch.bridge_list",
        doc: "The Open vSwitch bridges.",
        run: ovs_bridge_list,
    },
    ExecSpec {
        name: "openvswitch.port_list",
        doc: "The ports of an Open vSwitch bridge.",
        run: ovs_port_list,
    },
];

fn failed(e: impl std::fmt::Display) -> ExecError {
    ExecError::Failed(e.to_string())
}

fn show(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let host = Kernel::open()
        .map(|k| k.with_runner(call.ctx.runner.clone()))
        .map_err(failed)?;
    let netns = call.arg_str(0, "netns");
    let seen = host.observe(netns.as_deref()).map_err(failed)?;
    let mut out = serde_json::to_value(&seen).map_err(failed)?;
    if netns.is_none() {
        let neigh = host.neighbours().map_err(failed)?;
        out["neighbours"] = serde_json::to_value(neigh).map_err(failed)?;
    }
    Ok(out.into())
}

fn pending(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let dir = txn::pending_dir(&call.ctx.cachedir());
    let read = |ext: &str| -> Vec<Value> {
        txn::record::files_with(&dir, ext)
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .filter_map(|t| serde_json::from_str(&t).ok())
            .collect()
    };
    Ok(json!({"pending": read("pending"), "rolled_back": read("rolledback")}).into())
}

fn recover(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let host = Kernel::open()
        .map(|k| k.with_runner(call.ctx.runner.clone()))
        .map_err(failed)?;
    let lines = txn::recover(&host, &txn::pending_dir(&call.ctx.cachedir()));
    Ok(json!(lines).into())
}

fn bridge_arg(call: &ExecCall<'_>) -> Result<String, ExecError> {
    call.arg_str(0, "br")
        .ok_or_else(|| ExecError::Invocation("br: the bridge name is required".into()))
}

fn ovs_bridge_exists(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let br = bridge_arg(call)?;
    let exists = Ovs::new(call.ctx.runner.as_ref())
        .bridge_exists(&br)
        .map_err(failed)?;
    Ok(json!(exists).into())
}

fn ovs_bridge_list(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let list = Ovs::new(call.ctx.runner.as_ref())
        .bridge_list()
        .map_err(failed)?;
    Ok(json!(list).into())
}

fn ovs_port_list(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let br = bridge_arg(call)?;
    let list = Ovs::new(call.ctx.runner.as_ref())
        .port_list(&br)
        .map_err(failed)?;
    Ok(json!(list).into())
}
