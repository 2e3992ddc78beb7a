//! `rpm_ostree.default`: which deployment boots next, `booted` (stay) or
//! `previous` (roll back). Declarative: running it twice changes nothing,
//! where `rpm-ostree rollback` twice would flip back.

use halite_api::{StateCall, StateReturn};

use super::{finish_pending, old_new, read_status, refuse_busy};
use crate::model::rpm_ostree::{Deployment, Status};
use crate::tool::{strings, Tools};

/// Make the previous deployment the default (`rpm-ostree rollback`) and
/// confirm it in status; used by the state and by the health gate.
pub fn make_previous_default(tools: &Tools<'_>, st: &Status) -> Result<Deployment, String> {
    if previous_is_default(st) {
        return st
            .default_deployment()
            .cloned()
            .ok_or_else(|| "no deployments".to_string());
    }
    if st.staged().is_some() {
        return Err(
            "a staged deployment boots next; rollback would only return to the booted one".into(),
        );
    }
    let prev = st
        .rollback()
        .cloned()
        .ok_or_else(|| "there is no previous deployment to roll back to".to_string())?;
    tools
        .rpm_ostree_mutate(&strings(&["rollback"]))
        .map_err(|e| e.to_string())?;
    let after = tools.rpm_ostree_status().map_err(|e| e.to_string())?;
    match after.default_deployment() {
        Some(d) if d.checksum == prev.checksum => Ok(d.clone()),
        other => Err(format!(
            "rpm-ostree rollback ran, but the default deployment is {}",
            other
                .map(Deployment::label)
                .unwrap_or_else(|| "none".into())
        )),
    }
}

/// The default is an earlier, finalized deployment (not booted, not staged).
fn previous_is_default(st: &Status) -> bool {
    st.default_deployment()
        .is_some_and(|d| !d.booted && !d.staged)
}

/// After rolling back and rebooting, the booted deployment is the older one
/// and boots next: "previous" holds, instead of flipping back again.
fn booted_is_previous(st: &Status) -> bool {
    match (st.default_deployment(), st.rollback()) {
        (Some(d), Some(other)) => d.booted && d.base_time() < other.base_time(),
        _ => false,
    }
}

pub fn default(call: &StateCall<'_>) -> StateReturn {
    let want = call
        .get_str("deployment")
        .unwrap_or_else(|| call.name.clone());
    let tools = Tools::for_ctx(call.ctx);
    let st = match read_status(call, &tools) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Some(default) = st.default_deployment().cloned() else {
        return StateReturn::fail(&call.name, "rpm-ostree shows no deployments");
    };
    match want.as_str() {
        "booted" => keep_booted(call, &tools, &st, &default),
        "previous" | "rollback" => roll_back(call, &tools, &st, &default),
        other => StateReturn::fail(
            &call.name,
            format!(
                "rpm_ostree.default: deployment: expected 'booted' or 'previous', got '{other}'"
            ),
        ),
    }
}

fn keep_booted(
    call: &StateCall<'_>,
    tools: &Tools<'_>,
    st: &Status,
    default: &Deployment,
) -> StateReturn {
    if default.booted {
        return StateReturn::ok(
            &call.name,
            format!("The booted deployment {} is the default", default.label()),
        );
    }
    let Some(booted) = st.booted().cloned() else {
        return StateReturn::fail(&call.name, "rpm-ostree shows no booted deployment");
    };
    if let Err(r) = refuse_busy(call, st) {
        return r;
    }
    let mut ret = StateReturn::new(&call.name);
    ret.changes
        .insert("default".into(), old_new(default.label(), booted.label()));
    if call.test {
        ret.result = None;
        ret.comment = format!(
            "Would make the booted deployment {} the default (rpm-ostree rollback)",
            booted.label()
        );
        return ret;
    }
    if let Err(e) = tools.rpm_ostree_mutate(&strings(&["rollback"])) {
        return StateReturn::fail(&call.name, e.to_string());
    }
    match tools.rpm_ostree_status() {
        Ok(after) if after.default_deployment().is_some_and(|d| d.booted) => {
            ret.comment = format!(
                "The booted deployment {} is the default again",
                booted.label()
            );
            ret
        }
        Ok(_) => StateReturn::fail(
            &call.name,
            "rpm-ostree rollback ran, but the booted deployment is still not the default",
        ),
        Err(e) => StateReturn::fail(&call.name, e.to_string()),
    }
}

fn roll_back(
    call: &StateCall<'_>,
    tools: &Tools<'_>,
    st: &Status,
    default: &Deployment,
) -> StateReturn {
    if booted_is_previous(st) {
        return StateReturn::ok(
            &call.name,
            format!(
                "The previous deployment {} is booted and the default",
                default.label()
            ),
        );
    }
    if st.staged().is_some() {
        return StateReturn::fail(
            &call.name,
            "A staged deployment boots next; rolling back would only return to the booted one (use deployment: booted)",
        );
    }
    if previous_is_default(st) {
        let ret = StateReturn::ok(
            &call.name,
            format!("The previous deployment {} is the default", default.label()),
        );
        return finish_pending(call, tools, default, ret);
    }
    if let Err(r) = refuse_busy(call, st) {
        return r;
    }
    let Some(prev) = st.rollback().cloned() else {
        return StateReturn::fail(
            &call.name,
            "There is no previous deployment to roll back to",
        );
    };
    let mut ret = StateReturn::new(&call.name);
    ret.changes
        .insert("default".into(), old_new(default.label(), prev.label()));
    if call.test {
        ret.result = None;
        ret.comment = format!(
            "Would make the previous deployment {} the default (rpm-ostree rollback)",
            prev.label()
        );
        return ret;
    }
    match make_previous_default(tools, st) {
        Ok(now) => {
            ret.comment = format!("The previous deployment {} is the default", now.label());
            finish_pending(call, tools, &now, ret)
        }
        Err(e) => StateReturn::fail(&call.name, e),
    }
}
