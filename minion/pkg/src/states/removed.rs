//! `pkg.removed` / `pkg.purged`: Salt's `_uninstall` (targets sorted,
//! test-mode `{name: {new: removed|purged, old: ""}}`, verification against
//! the new package list). On rpm-ostree hosts only layered packages can be
//! removed, from the next deployment.

use halite_api::{Map, StateCall, StateReturn, Value};

use super::{desired, new_old, old_new};
use crate::exec::{problem, uninstall_changes};
use crate::manager::{self, Manager};
use crate::version::fulfills;

pub fn removed(call: &StateCall<'_>) -> StateReturn {
    uninstall(call, false)
}

pub fn purged(call: &StateCall<'_>) -> StateReturn {
    uninstall(call, true)
}

fn uninstall(call: &StateCall<'_>, purge: bool) -> StateReturn {
    let action = if purge { "purge" } else { "remove" };
    let wanted = desired(call).unwrap_or_default();
    let mgr = match manager::for_ctx(call.ctx) {
        Ok(m) => m,
        Err(e) => return StateReturn::fail(&call.name, e.to_string()),
    };
    let installed = match present(mgr.as_ref()) {
        Ok(m) => m,
        Err(e) => return StateReturn::fail(&call.name, e),
    };
    let version_spec = wanted.iter().any(|(_, v)| v.is_some());
    let mut targets: Vec<String> = wanted
        .iter()
        .filter(
            |(n, v)| match (installed.get(n).and_then(Value::as_str), v) {
                (None, _) => false,
                (Some(_), None) => true,
                (Some(cur), Some(want)) => fulfills(mgr.scheme(), cur, want),
            },
        )
        .map(|(n, _)| n.clone())
        .collect();
    if targets.is_empty() && !purge {
        return StateReturn::ok(
            &call.name,
            format!(
                "All specified packages{} are already absent",
                if version_spec {
                    " (matching specified versions)"
                } else {
                    ""
                }
            ),
        );
    }
    if purge {
        let remains = mgr.config_remains().unwrap_or_default();
        targets.extend(
            wanted
                .iter()
                .map(|(n, _)| n)
                .filter(|n| remains.contains_key(*n))
                .cloned(),
        );
    }
    targets.sort();
    targets.dedup();
    if targets.is_empty() {
        return StateReturn::ok(
            &call.name,
            "None of the targeted packages are installed or partially installed",
        );
    }
    if call.test {
        let mut ret = StateReturn::new(&call.name);
        ret.result = None;
        for t in &targets {
            ret.changes
                .insert(t.clone(), new_old(format!("{action}d"), ""));
        }
        ret.comment = format!(
            "The following packages will be {action}d: {}.",
            targets.join(", ")
        );
        return ret;
    }
    let names: Vec<String> = wanted.iter().map(|(n, _)| n.clone()).collect();
    let mut changes = match uninstall_changes(mgr.as_ref(), &targets, purge) {
        Ok(v) => v,
        Err(f) => {
            let (e, v) = (&f.0, &f.1);
            let mut r = StateReturn::fail(&call.name, problem("removing", e, None));
            r.changes = v.as_object().cloned().unwrap_or_default();
            return r;
        }
    };
    let after = present(mgr.as_ref()).unwrap_or_default();
    let mut failed: Vec<String> = names
        .iter()
        .filter(|n| after.contains_key(*n))
        .cloned()
        .collect();
    if mgr.needs_reboot() {
        let pending = mgr.pending().unwrap_or_default();
        failed.retain(|n| pending.contains(n));
        if let Value::Object(ch) = &mut changes {
            for t in targets.iter().filter(|t| !pending.contains(t)) {
                ch.insert(
                    t.clone(),
                    old_new(
                        installed.get(t).cloned().unwrap_or_default(),
                        "removed from the next deployment (active after reboot)",
                    ),
                );
            }
        }
    }
    if purge {
        let remains = mgr.config_remains().unwrap_or_default();
        failed.extend(names.iter().filter(|n| remains.contains_key(*n)).cloned());
    }
    failed.sort();
    failed.dedup();
    let mut ret = StateReturn::new(&call.name);
    ret.changes = changes.as_object().cloned().unwrap_or_default();
    if !failed.is_empty() {
        ret.result = Some(false);
        ret.comment = format!(
            "The following packages failed to {action}: {}.",
            failed.join(", ")
        );
        return ret;
    }
    ret.result = Some(true);
    let mut not_installed: Vec<String> = names
        .iter()
        .filter(|n| !targets.contains(n))
        .cloned()
        .collect();
    not_installed.sort();
    ret.comment = if not_installed.is_empty() {
        format!("All targeted packages were {action}d.")
    } else {
        format!(
            "The following packages were not installed: {} The following packages were {action}d: {}.",
            not_installed.join(", "),
            targets.join(", ")
        )
    };
    ret
}

/// Installed now, or layered for the next boot (rpm-ostree).
fn present(mgr: &dyn Manager) -> Result<Map, String> {
    let mut have = mgr.installed().map_err(|e| e.to_string())?;
    for p in mgr.pending().map_err(|e| e.to_string())? {
        have.entry(p).or_insert_with(|| "layered".into());
    }
    Ok(have)
}
