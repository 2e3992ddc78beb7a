//! `pkg.latest`: the newest version the repositories offer, as Salt's state
//! words it (up-to-date, would be installed/upgraded, failed to update).

use halite_api::{StateCall, StateReturn, Value};

use super::{new_old, refresh_arg};
use crate::exec::{install_changes, install_opts, maybe_refresh, newer_versions, problem};
use crate::manager::{self, Target};
use crate::refresh;

fn sorted(mut v: Vec<String>) -> String {
    v.sort();
    v.join(", ")
}

pub fn latest(call: &StateCall<'_>) -> StateReturn {
    refresh::mod_init(call.ctx);
    let pkgs_given = matches!(call.get("pkgs"), Some(Value::Array(_)));
    let desired: Vec<String> = match call.get("pkgs") {
        Some(Value::Array(list)) if list.is_empty() => {
            return StateReturn::ok(&call.name, "No packages to install provided")
        }
        Some(Value::Array(list)) => list.iter().map(|v| crate::exec::pkg_entry(v).0).collect(),
        _ => vec![call.name.clone()],
    };
    let mgr = match manager::for_ctx(call.ctx) {
        Ok(m) => m,
        Err(e) => return StateReturn::fail(&call.name, e.to_string()),
    };
    let checked = maybe_refresh(call.ctx, mgr.as_ref(), refresh_arg(call))
        .and_then(|()| Ok((newer_versions(mgr.as_ref(), &desired)?, mgr.installed()?)));
    let (avail, cur) = match checked {
        Ok(v) => v,
        Err(e) => {
            return StateReturn::fail(
                &call.name,
                format!("An error was encountered while checking the newest available version of package(s): {e}"),
            )
        }
    };
    let text =
        |m: &halite_api::Map, k: &str| m.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let mut targets: Vec<(String, String)> = Vec::new();
    let mut problems = Vec::new();
    for p in &desired {
        let a = text(&avail, p);
        if !a.is_empty() {
            targets.push((p.clone(), a));
        } else if text(&cur, p).is_empty() {
            problems.push(format!("No information found for '{p}'."));
        }
    }
    if !problems.is_empty() {
        return StateReturn::fail(&call.name, problems.join(" "));
    }
    if targets.is_empty() {
        let comment = match desired.len() {
            n if n > 10 => format!("All {n} packages are up-to-date."),
            n if n > 1 => format!("All packages are up-to-date ({}).", sorted(desired.clone())),
            _ => format!("Package {} is already up-to-date", desired[0]),
        };
        return StateReturn::ok(&call.name, comment);
    }
    let names: Vec<String> = targets.iter().map(|(n, _)| n.clone()).collect();
    let up_to_date: Vec<String> = if pkgs_given {
        desired
            .iter()
            .filter(|d| !names.contains(d))
            .cloned()
            .collect()
    } else {
        Vec::new()
    };
    if call.test {
        let mut ret = StateReturn::new(&call.name);
        ret.result = None;
        let mut comments = vec![format!(
            "The following packages would be installed/upgraded: {}",
            sorted(names.clone())
        )];
        if !up_to_date.is_empty() {
            comments.push(if up_to_date.len() <= 10 {
                let mut u = up_to_date.clone();
                u.sort();
                format!(
                    "The following packages are already up-to-date: {}",
                    u.iter()
                        .map(|x| format!("{x} ({})", text(&cur, x)))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            } else {
                format!("{} packages are already up-to-date", up_to_date.len())
            });
        }
        for (n, v) in &targets {
            ret.changes
                .insert(n.clone(), new_old(v.clone(), text(&cur, n)));
        }
        ret.comment = comments.join("\n");
        return ret;
    }
    let install: Vec<Target> = targets
        .iter()
        .map(|(n, _)| Target {
            name: n.clone(),
            version: None,
        })
        .collect();
    let changes = match install_changes(mgr.as_ref(), &install, &install_opts(&call.args)) {
        Ok(ch) => ch,
        Err(f) => {
            let (e, ch) = (&f.0, &f.1);
            return StateReturn::fail(
                &call.name,
                format!(
                    "An error was encountered while installing package(s): {}",
                    problem("installing", e, Some(ch))
                ),
            );
        }
    };
    let mut ret = StateReturn::new(&call.name);
    if changes.is_empty() {
        ret.result = Some(false);
        ret.comment = match targets.len() {
            n if n > 10 => format!("{n} targeted packages failed to update. See debug log for details."),
            n if n > 1 => format!(
                "The following targeted packages failed to update. See debug log for details: ({}).",
                sorted(names.clone())
            ),
            _ => format!("Package {} failed to update.", names[0]),
        };
        return ret;
    }
    let failed: Vec<String> = targets
        .iter()
        .filter(|(n, v)| {
            changes
                .get(n)
                .and_then(|c| c.get("new"))
                .and_then(Value::as_str)
                .is_none_or(|new| !new.split(',').any(|x| x == v))
        })
        .map(|(n, _)| n.clone())
        .collect();
    let successful: Vec<String> = names
        .iter()
        .filter(|n| !failed.contains(n))
        .cloned()
        .collect();
    let mut comments = Vec::new();
    if !failed.is_empty() {
        comments.push(format!(
            "The following packages failed to update: {}",
            sorted(failed.clone())
        ));
    }
    if !successful.is_empty() {
        comments.push(format!(
            "The following packages were successfully installed/upgraded: {}",
            sorted(successful)
        ));
    }
    if !up_to_date.is_empty() {
        comments.push(if up_to_date.len() <= 10 {
            format!(
                "The following packages were already up-to-date: {}",
                sorted(up_to_date)
            )
        } else {
            format!("{} packages were already up-to-date ", up_to_date.len())
        });
    }
    ret.result = Some(failed.is_empty());
    ret.changes = changes;
    ret.comment = comments.join(" ");
    ret
}
