//! `rpm_ostree.packages`: the layered package requests of the default
//! deployment include `pkgs` and exclude `absent`. One transaction does both
//! (`install --uninstall=...`), staged with `--lock-finalization`.

use halite_api::{StateCall, StateReturn, Value};

use super::{finish_pending, guard_reboot, old_new, read_status, refuse_busy};
use crate::exec::value_list;
use crate::tool::{strings, Tools};

pub fn packages(call: &StateCall<'_>) -> StateReturn {
    let mut wanted = value_list(call.get("pkgs"));
    let absent = value_list(call.get("absent"));
    if wanted.is_empty() && absent.is_empty() {
        wanted.push(call.name.clone());
    }
    if let Some(p) = wanted.iter().find(|p| absent.contains(p)) {
        return StateReturn::fail(
            &call.name,
            format!("rpm_ostree.packages: '{p}' is in both pkgs and absent"),
        );
    }
    let tools = Tools::for_ctx(call.ctx);
    match converge(call, &tools, &wanted, &absent) {
        Ok(r) | Err(r) => r,
    }
}

fn converge(
    call: &StateCall<'_>,
    tools: &Tools<'_>,
    wanted: &[String],
    absent: &[String],
) -> Result<StateReturn, StateReturn> {
    let st = read_status(call, tools)?;
    let default = st
        .default_deployment()
        .cloned()
        .ok_or_else(|| StateReturn::fail(&call.name, "rpm-ostree shows no deployments"))?;
    let requested = &default.requested_packages;
    let add: Vec<String> = wanted
        .iter()
        .filter(|p| !requested.contains(p))
        .cloned()
        .collect();
    let remove: Vec<String> = absent
        .iter()
        .filter(|p| requested.contains(p))
        .cloned()
        .collect();
    if add.is_empty() && remove.is_empty() {
        let ret = StateReturn::ok(&call.name, "Layered packages are already as requested");
        if default.booted {
            return Ok(ret);
        }
        guard_reboot(call, &st)?;
        return Ok(finish_pending(call, tools, &default, ret));
    }
    refuse_busy(call, &st)?;
    let args = command(&add, &remove);
    let shown = format!("rpm-ostree {}", args.join(" "));
    let mut ret = StateReturn::new(&call.name);
    if !add.is_empty() {
        ret.changes
            .insert("installed".into(), Value::from(add.clone()));
    }
    if !remove.is_empty() {
        ret.changes
            .insert("removed".into(), Value::from(remove.clone()));
    }
    if call.test {
        ret.result = None;
        ret.comment = format!("Would change layered packages ({shown})");
        return Ok(ret);
    }
    tools
        .rpm_ostree_mutate(&args)
        .map_err(|e| StateReturn::fail(&call.name, e.to_string()))?;
    let after = read_status(call, tools)?;
    let Some(new) = after.default_deployment().cloned() else {
        return Err(StateReturn::fail(
            &call.name,
            "rpm-ostree shows no deployments",
        ));
    };
    let now = &new.requested_packages;
    let missing: Vec<&String> = wanted.iter().filter(|p| !now.contains(p)).collect();
    let left: Vec<&String> = absent.iter().filter(|p| now.contains(p)).collect();
    if !missing.is_empty() || !left.is_empty() {
        return Err(StateReturn::fail(
            &call.name,
            format!("{shown} ran, but the default deployment still lacks {missing:?} / still has {left:?}"),
        ));
    }
    ret.changes
        .insert("deployment".into(), old_new(default.label(), new.label()));
    ret.comment = format!("Layered packages changed in {}", new.label());
    Ok(finish_pending(call, tools, &new, ret))
}

/// `install ADD... --uninstall=REMOVE...`, or `uninstall REMOVE...`.
pub fn command(add: &[String], remove: &[String]) -> Vec<String> {
    let mut args = if add.is_empty() {
        strings(&[
            "uninstall",
            "--idempotent",
            "--unchanged-exit-77",
            "--lock-finalization",
        ])
    } else {
        let mut a = strings(&[
            "install",
            "--idempotent",
            "--allow-inactive",
            "--unchanged-exit-77",
            "--lock-finalization",
        ]);
        a.extend(remove.iter().map(|p| format!("--uninstall={p}")));
        a
    };
    if add.is_empty() {
        args.extend(remove.iter().cloned());
    } else {
        args.extend(add.iter().cloned());
    }
    args
}
