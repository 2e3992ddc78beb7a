//! The Salt states of this crate and the one path they share: observe, plan,
//! return early when converged (no write of any kind), print the ops under
//! `test=True`, otherwise apply commit-confirmed.

mod args;
mod cni;
mod net;
mod ovs;

use crate::model::Observed;
use crate::netlink::{Kernel, NetHost};
use crate::plan::Plan;
use crate::txn::{self, confirm::Check, ConfirmSpec, Env, Outcome};
use halite_api::module::{StateCall, StateReturn, StateSpec};
use halite_api::Value;
use serde_json::json;
use std::time::Duration;

pub const STATES: &[StateSpec] = &[
    StateSpec {
        name: "halite_net.bridge",
        run: net::bridge,
        mod_watch: None,
    },
    StateSpec {
        name: "halite_net.address_moved",
        run: net::address_moved,
        mod_watch: None,
    },
    StateSpec {
        name: "halite_net.route",
        run: net::route,
        mod_watch: None,
    },
    StateSpec {
        name: "halite_net.veth",
        run: net::veth,
        mod_watch: None,
    },
    StateSpec {
        name: "halite_net.ovs_flows",
        run: net::ovs_flows,
        mod_watch: None,
    },
    StateSpec {
        name: "halite_net.cni_config",
        run: cni::cni_config,
        mod_watch: None,
    },
    StateSpec {
        name: "openvswitch_bridge.present",
        run: ovs::bridge_present,
        mod_watch: None,
    },
    StateSpec {
        name: "openvswitch_bridge.absent",
        run: ovs::bridge_absent,
        mod_watch: None,
    },
    StateSpec {
        name: "openvswitch_port.present",
        run: ovs::port_present,
        mod_watch: None,
    },
    StateSpec {
        name: "openvswitch_port.absent",
        run: ovs::port_absent,
        mod_watch: None,
    },
];

/// Default seconds a change has to prove the node still reaches its master
/// and gateway.
pub const DEFAULT_CONFIRM_TIMEOUT: u64 = 30;

/// Observe, plan, and apply commit-confirmed. `converged` is the comment
/// when nothing needs doing; `what` names the change in records and texts.
pub(crate) fn converge(
    call: &StateCall<'_>,
    what: &str,
    converged: &str,
    make_plan: impl FnOnce(&Kernel, &Observed) -> Result<Plan, String>,
) -> StateReturn {
    let host = match Kernel::open().map(|k| k.with_runner(call.ctx.runner.clone())) {
        Ok(h) => h,
        Err(e) => return StateReturn::fail(&call.name, e.to_string()),
    };
    let snapshot = match host.observe(None) {
        Ok(s) => s,
        Err(e) => return StateReturn::fail(&call.name, e.to_string()),
    };
    let plan = match make_plan(&host, &snapshot) {
        Ok(p) => p,
        Err(e) => return StateReturn::fail(&call.name, e),
    };
    let mut ret = StateReturn::ok(&call.name, converged);
    add_networkd_warning(&mut ret, &plan);
    if plan.is_empty() {
        return ret;
    }
    let ops = plan.describe();
    if call.test {
        ret.result = None;
        ret.comment = format!(
            "{what} would be changed by:\n{}",
            ops.iter()
                .map(|o| format!("  {o}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
        ret.changes.insert("operations".into(), json!(ops));
        return ret;
    }
    let confirm = match confirm_spec(call) {
        Ok(c) => c,
        Err(e) => return StateReturn::fail(&call.name, e),
    };
    let env = Env {
        host: &host,
        runner: call.ctx.runner.as_ref(),
        dir: txn::pending_dir(&call.ctx.cachedir()),
        watchdog_exe: std::env::current_exe().unwrap_or_else(|_| "halite".into()),
    };
    let outcome = txn::apply(
        &env,
        &format!("{what} ({})", call.name),
        &snapshot,
        &plan,
        &confirm,
    );
    finish(ret, what, outcome)
}

fn finish(mut ret: StateReturn, what: &str, outcome: Outcome) -> StateReturn {
    match outcome {
        Outcome::Confirmed { applied, verdict } => {
            let seen: Vec<String> = verdict.passed.iter().map(ToString::to_string).collect();
            ret.comment = if seen.is_empty() {
                format!("{what} configured (nothing to confirm against)")
            } else {
                format!(
                    "{what} configured; confirmed in {:.2} s: {}",
                    verdict.took.as_secs_f64(),
                    seen.join(", ")
                )
            };
            ret.changes.insert("operations".into(), json!(applied));
        }
        Outcome::NotStarted(why) => {
            ret.result = Some(false);
            ret.comment = format!("Nothing was changed: {why}");
        }
        Outcome::StepFailed {
            applied,
            error,
            rollback,
        } => {
            ret.result = Some(false);
            ret.comment = format!(
                "{what}: a step failed after {} others: {error}. Rolled back: {}",
                applied.len(),
                rollback.join("; ")
            );
        }
        Outcome::Unconfirmed {
            applied,
            verdict,
            rollback,
        } => {
            let failed: Vec<String> = verdict.failed.iter().map(ToString::to_string).collect();
            ret.result = Some(false);
            ret.comment = format!(
                "{what}: the change was not confirmed: no answer to {} within {:.1} s after {}. \
                 Rolled back to the state before: {}",
                failed.join(", "),
                verdict.took.as_secs_f64(),
                applied.join("; "),
                rollback.join("; ")
            );
        }
    }
    ret
}

/// `confirm` (list of `IP` / `host:port`), `confirm_timeout` (seconds;
/// option `halite_net_confirm_timeout`); by default the master's ret port
/// when there is a master.
fn confirm_spec(call: &StateCall<'_>) -> Result<ConfirmSpec, String> {
    let timeout = args::u64_arg(call, "confirm_timeout")?
        .or_else(|| {
            call.ctx
                .opt("halite_net_confirm_timeout")
                .and_then(Value::as_u64)
        })
        .unwrap_or(DEFAULT_CONFIRM_TIMEOUT);
    let checks = match call.get("confirm") {
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| Check::parse(&halite_api::module::value_to_arg_string(v)))
            .collect::<Result<Vec<_>, _>>()?,
        Some(Value::String(s)) => vec![Check::parse(s)?],
        Some(_) => return Err("confirm: must be a list of IPv4 addresses or host:port".into()),
        None => master_checks(call),
    };
    Ok(ConfirmSpec {
        checks,
        timeout: Duration::from_secs(timeout),
    })
}

fn master_checks(call: &StateCall<'_>) -> Vec<Check> {
    let opts = &call.ctx.opts;
    if halite_api::value::is_local(opts) {
        return Vec::new();
    }
    let port = opts
        .get("master_port")
        .and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()))
        .unwrap_or(4506) as u16;
    let masters: Vec<String> = match opts.get("master") {
        Some(Value::String(m)) => vec![m.clone()],
        Some(Value::Array(ms)) => ms
            .iter()
            .filter_map(|m| m.as_str().map(String::from))
            .collect(),
        _ => vec!["salt".into()],
    };
    masters.into_iter().map(|m| Check::Tcp(m, port)).collect()
}

/// systemd-networkd deletes routes it did not configure on its next reload
/// unless told not to; say so when a plan adds routes on such a host.
fn add_networkd_warning(ret: &mut StateReturn, plan: &Plan) {
    let adds_routes = plan
        .steps
        .iter()
        .any(|s| matches!(s.op, crate::op::Op::ReplaceRoute { .. }));
    if adds_routes && std::path::Path::new("/run/systemd/netif/state").exists() {
        ret.extra.insert(
            "warnings".into(),
            json!([
                "systemd-networkd manages this host: unless its networkd.conf sets \
                 ManageForeignRoutes=no and ManageForeignRoutingPolicyRules=no, it deletes \
                 these routes on its next reload"
            ]),
        );
    }
}
