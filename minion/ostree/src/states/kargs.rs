//! `rpm_ostree.kargs`: kernel arguments of the default deployment.
//! `present` entries (`key=value` or `key`) are appended or replaced,
//! `absent` entries (`key` removes every value, `key=value` one) deleted.

use halite_api::{StateCall, StateReturn, Value};

use super::{finish_pending, guard_reboot, read_status, refuse_busy};
use crate::exec::value_list;
use crate::tool::{strings, Tools};

/// The edits that turn `current` into what the state wants.
#[derive(Debug, Default, PartialEq)]
pub struct Edits {
    pub flags: Vec<String>,
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

fn key_of(arg: &str) -> &str {
    arg.split_once('=').map_or(arg, |(k, _)| k)
}

/// Compute the `--append-if-missing/--replace/--delete-if-present` flags.
pub fn edits(current: &[String], present: &[String], absent: &[String]) -> Edits {
    let mut e = Edits::default();
    for want in present {
        if current.contains(want) {
            continue;
        }
        let same_key: Vec<&String> = current
            .iter()
            .filter(|c| key_of(c) == key_of(want))
            .collect();
        if same_key.len() == 1 && want.contains('=') {
            e.flags.push(format!("--replace={want}"));
            e.removed.push(same_key[0].clone());
        } else {
            e.flags.push(format!("--append-if-missing={want}"));
        }
        e.added.push(want.clone());
    }
    for gone in absent {
        let hits: Vec<&String> = if gone.contains('=') {
            current.iter().filter(|c| *c == gone).collect()
        } else {
            current.iter().filter(|c| key_of(c) == gone).collect()
        };
        for hit in hits {
            e.flags.push(format!("--delete-if-present={hit}"));
            e.removed.push(hit.clone());
        }
    }
    e
}

pub fn kargs(call: &StateCall<'_>) -> StateReturn {
    let present = value_list(call.get("present"));
    let absent = value_list(call.get("absent"));
    if present.is_empty() && absent.is_empty() {
        return StateReturn::fail(
            &call.name,
            "rpm_ostree.kargs: give present and/or absent kernel arguments",
        );
    }
    let tools = Tools::for_ctx(call.ctx);
    match converge(call, &tools, &present, &absent) {
        Ok(r) | Err(r) => r,
    }
}

fn converge(
    call: &StateCall<'_>,
    tools: &Tools<'_>,
    present: &[String],
    absent: &[String],
) -> Result<StateReturn, StateReturn> {
    let fail = |e: crate::tool::ToolError| StateReturn::fail(&call.name, e.to_string());
    let current = tools.rpm_ostree_kargs().map_err(fail)?;
    let plan = edits(&current, present, absent);
    if plan.flags.is_empty() {
        let ret = StateReturn::ok(&call.name, "Kernel arguments are already as requested");
        if !call.get_bool("reboot", false) {
            return Ok(ret);
        }
        let st = read_status(call, tools)?;
        return Ok(match st.pending().cloned() {
            Some(p) => {
                guard_reboot(call, &st)?;
                finish_pending(call, tools, &p, ret)
            }
            None => ret,
        });
    }
    let st = read_status(call, tools)?;
    refuse_busy(call, &st)?;
    let mut args = strings(&["kargs", "--unchanged-exit-77", "--lock-finalization"]);
    args.extend(plan.flags.iter().cloned());
    let shown = format!("rpm-ostree {}", args.join(" "));
    let mut ret = StateReturn::new(&call.name);
    if !plan.added.is_empty() {
        ret.changes
            .insert("added".into(), Value::from(plan.added.clone()));
    }
    if !plan.removed.is_empty() {
        ret.changes
            .insert("removed".into(), Value::from(plan.removed.clone()));
    }
    if call.test {
        ret.result = None;
        ret.comment = format!("Would change kernel arguments ({shown})");
        return Ok(ret);
    }
    tools.rpm_ostree_mutate(&args).map_err(fail)?;
    let now = tools.rpm_ostree_kargs().map_err(fail)?;
    if !edits(&now, present, absent).flags.is_empty() {
        return Err(StateReturn::fail(
            &call.name,
            format!(
                "{shown} ran, but the kernel arguments are now: {}",
                now.join(" ")
            ),
        ));
    }
    let after = read_status(call, tools)?;
    ret.comment = "Kernel arguments changed".into();
    Ok(match after.pending() {
        Some(p) => finish_pending(call, tools, &p.clone(), ret),
        None => ret,
    })
}
