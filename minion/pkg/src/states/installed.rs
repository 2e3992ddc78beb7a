//! `pkg.installed`: Salt's `_find_install_targets` → test-mode report or
//! `pkg.install` → verification against the new package list, with
//! `hold`/`version`/`pkgs`/`refresh`. On rpm-ostree hosts the install is a
//! layering into the next deployment and the result says a reboot is pending.

// Both paths of `run` end in a StateReturn (the `Err` one is the early,
// failed return), so it is not boxed.
#![allow(clippy::result_large_err)]

use halite_api::{Map, StateCall, StateReturn, Value};

use super::{desired, desired_text, new_old, old_new, refresh_arg};
use crate::exec::{hold_one, install_opts, maybe_refresh, newer_versions, problem};
use crate::manager::{self, Manager, Target};
use crate::refresh;
use crate::version::fulfills;

/// What `new` shows for a package layered into the next deployment.
pub const LAYERED: &str = "layered (active after reboot)";

pub fn installed(call: &StateCall<'_>) -> StateReturn {
    refresh::mod_init(call.ctx);
    let Some(desired) = desired(call) else {
        return StateReturn::ok(&call.name, "No packages to install provided");
    };
    let mgr = match manager::for_ctx(call.ctx) {
        Ok(m) => m,
        Err(e) => return StateReturn::fail(&call.name, e.to_string()),
    };
    if let Err(e) = maybe_refresh(call.ctx, mgr.as_ref(), refresh_arg(call)) {
        return StateReturn::fail(
            &call.name,
            format!("An error was encountered while refreshing the package database: {e}"),
        );
    }
    match run(call, mgr.as_ref(), &desired) {
        Ok(r) | Err(r) => r,
    }
}

/// Installed versions, plus what the next boot has (rpm-ostree).
fn present(mgr: &dyn Manager) -> Result<Map, String> {
    let mut have = mgr.installed().map_err(|e| e.to_string())?;
    for p in mgr.pending().map_err(|e| e.to_string())? {
        have.entry(p).or_insert_with(|| LAYERED.into());
    }
    Ok(have)
}

fn satisfied(mgr: &dyn Manager, have: &Map, name: &str, version: Option<&str>) -> bool {
    match (have.get(name).and_then(Value::as_str), version) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(LAYERED), Some(_)) => true,
        (Some(cur), Some(want)) => cur.split(',').any(|c| fulfills(mgr.scheme(), c, want)),
    }
}

fn run(
    call: &StateCall<'_>,
    mgr: &dyn Manager,
    desired: &[(String, Option<String>)],
) -> Result<StateReturn, StateReturn> {
    let fail = |c: String| StateReturn::fail(&call.name, c);
    let before = present(mgr).map_err(fail)?;
    let targets: Vec<Target> = desired
        .iter()
        .filter(|(n, v)| !satisfied(mgr, &before, n, v.as_deref()))
        .map(|(n, v)| Target {
            name: n.clone(),
            version: v.clone(),
        })
        .collect();
    let hold = call.get("hold").map(halite_api::module::value_to_bool);
    if targets.is_empty() {
        let version_spec = desired.iter().any(|(_, v)| v.is_some());
        let mut ret = StateReturn::ok(
            &call.name,
            format!(
                "All specified packages are already installed{}",
                if version_spec {
                    " and are at the desired version"
                } else {
                    ""
                }
            ),
        );
        if let Some(hold) = hold {
            apply_holds_unchanged(call, mgr, desired, hold, &mut ret);
        }
        return Ok(ret);
    }
    if call.test {
        return Ok(would_install(call, mgr, &targets, &before));
    }
    let opts = install_opts(&call.args);
    let mut changes = match crate::exec::install_changes(mgr, &targets, &opts) {
        Ok(ch) => ch,
        Err(f) => {
            let e = &f.0;
            let mut r = StateReturn::fail(&call.name, problem("installing", e, None));
            r.changes = Map::new();
            return Err(r);
        }
    };
    let after = present(mgr).map_err(fail)?;
    if mgr.needs_reboot() {
        for t in &targets {
            if after.get(&t.name).and_then(Value::as_str) == Some(LAYERED) {
                changes.insert(t.name.clone(), old_new("", LAYERED));
            }
        }
    }
    let mut comment = Vec::new();
    let modified: Vec<&Target> = targets
        .iter()
        .filter(|t| satisfied(mgr, &after, &t.name, t.version.as_deref()))
        .collect();
    let failed: Vec<&Target> = targets.iter().filter(|t| !modified.contains(t)).collect();
    let text = |ts: &[&Target]| {
        ts.iter()
            .map(|t| desired_text(&t.name, t.version.as_deref()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !modified.is_empty() {
        let summary = text(&modified);
        if mgr.needs_reboot() {
            comment.push(format!(
                "The following packages were layered into the next deployment: {summary}. They become active after a reboot (pending); Halite does not reboot"
            ));
        } else if summary.len() < 20 {
            comment.push(format!(
                "The following packages were installed/updated: {summary}"
            ));
        } else {
            let n = modified.len();
            comment.push(format!(
                "{n} targeted package{} {} installed/updated.",
                if n > 1 { "s" } else { "" },
                if n > 1 { "were" } else { "was" }
            ));
        }
    }
    let mut result = true;
    if let Some(hold) = hold {
        result &= apply_holds_after(call, mgr, desired, hold, &mut changes, &mut comment);
    }
    let not_modified: Vec<String> = desired
        .iter()
        .filter(|(n, _)| !targets.iter().any(|t| &t.name == n))
        .map(|(n, v)| desired_text(n, v.as_deref()))
        .collect();
    if !not_modified.is_empty() {
        comment.push(format!(
            "The following packages were already installed: {}",
            not_modified.join(", ")
        ));
    }
    if !failed.is_empty() {
        comment.insert(
            0,
            format!(
                "The following packages failed to install/update: {}",
                text(&failed)
            ),
        );
        result = false;
    }
    let mut ret = StateReturn::new(&call.name);
    ret.result = Some(result);
    ret.changes = changes;
    ret.comment = comment.join("\n");
    Ok(ret)
}

/// test=True: what would be installed, `new` being the version the manager
/// would pick (`installed` where it cannot say).
fn would_install(
    call: &StateCall<'_>,
    mgr: &dyn Manager,
    targets: &[Target],
    before: &Map,
) -> StateReturn {
    let names: Vec<String> = targets.iter().map(|t| t.name.clone()).collect();
    let newer = newer_versions(mgr, &names).ok();
    let mut ret = StateReturn::new(&call.name);
    ret.result = None;
    for t in targets {
        let new = t
            .version
            .clone()
            .or_else(|| {
                newer
                    .as_ref()
                    .and_then(|m| m.get(&t.name))
                    .and_then(Value::as_str)
                    .map(String::from)
            })
            .unwrap_or_else(|| "installed".into());
        let old = before.get(&t.name).and_then(Value::as_str).unwrap_or("");
        ret.changes.insert(t.name.clone(), new_old(new, old));
    }
    ret.comment = format!(
        "The following packages would be installed/updated: {}",
        names.join(", ")
    );
    if mgr.needs_reboot() {
        ret.comment
            .push_str("\n(rpm-ostree: layered into the next deployment, active after a reboot)");
    }
    ret
}

/// Nothing to install: the hold results appended as Salt does (`.\n`).
fn apply_holds_unchanged(
    call: &StateCall<'_>,
    mgr: &dyn Manager,
    desired: &[(String, Option<String>)],
    hold: bool,
    ret: &mut StateReturn,
) {
    let held = mgr.held().unwrap_or_default();
    for (name, _) in desired {
        let h = hold_one(mgr, &held, name, hold, call.test);
        ret.comment
            .push_str(&format!(".\n{}", h["comment"].as_str().unwrap_or("")));
        ret.result = h["result"].as_bool();
        if let Some(ch) = h["changes"].as_object().filter(|c| !c.is_empty()) {
            ret.changes.insert(name.clone(), Value::Object(ch.clone()));
        }
    }
}

/// After an install: hold results merged into the changes as Salt merges
/// them (`new` gains `\nhold`). False when a hold failed.
fn apply_holds_after(
    call: &StateCall<'_>,
    mgr: &dyn Manager,
    desired: &[(String, Option<String>)],
    hold: bool,
    changes: &mut Map,
    comment: &mut Vec<String>,
) -> bool {
    let held = mgr.held().unwrap_or_default();
    let mut ok = true;
    for (name, _) in desired {
        let h = hold_one(mgr, &held, name, hold, call.test);
        comment.push(h["comment"].as_str().unwrap_or("").to_string());
        ok &= h["result"].as_bool() == Some(true);
        let Some(hc) = h["changes"].as_object().filter(|c| !c.is_empty()) else {
            continue;
        };
        let hnew = hc.get("new").and_then(Value::as_str).unwrap_or("");
        let hold_old = hc.get("old").and_then(Value::as_str).unwrap_or("");
        match changes.get_mut(name).and_then(Value::as_object_mut) {
            Some(entry) => {
                for (key, add) in [("new", hnew), ("old", hold_old)] {
                    let cur = entry
                        .get(key)
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                    let joined = if cur.is_empty() {
                        add.to_string()
                    } else {
                        format!("{cur}\n{add}")
                    };
                    entry.insert(key.into(), joined.into());
                }
            }
            None => {
                let mut m = Map::new();
                m.insert("new".into(), hnew.into());
                changes.insert(name.clone(), Value::Object(m));
            }
        }
    }
    ok
}
