//! `pkg.*` execution functions with Salt's names, arguments and returns
//! (single name → string, several → dict; changes as `{name: {old, new}}`;
//! failures as Salt's `Problem encountered ...` with the manager's errors).

use halite_api::{ExecCall, ExecError, ExecOutput, ExecSpec, Map, Value};

use crate::manager::{self, compare, InstallOpts, Manager, Target};
use crate::refresh;
use crate::tool::PkgError;
use crate::version::compare as vcmp;

macro_rules! function {
    ($name:literal, $run:ident, $doc:literal) => {
        ExecSpec {
            name: concat!("pkg.", $name),
            doc: $doc,
            run: $run,
        }
    };
}

pub const FUNCTIONS: &[ExecSpec] = &[
    function!(
        "version",
        version,
        "Installed version of each named package (\"\" when absent)."
    ),
    function!(
        "list_pkgs",
        list_pkgs,
        "Installed packages: name → version."
    ),
    function!(
        "info_installed",
        info_installed,
        "Package metadata of installed packages."
    ),
    function!(
        "latest_version",
        latest_version,
        "The newer version an install would bring (\"\" when none)."
    ),
    function!(
        "available_version",
        latest_version,
        "Alias of pkg.latest_version."
    ),
    function!(
        "upgrade_available",
        upgrade_available,
        "Is a newer version available?"
    ),
    function!("refresh_db", refresh_db, "Refresh the package database."),
    function!(
        "install",
        install,
        "Install packages (name or pkgs, version, refresh)."
    ),
    function!("remove", remove, "Remove packages."),
    function!("purge", purge, "Remove packages and their configuration."),
    function!("hold", hold, "Hold packages at their version."),
    function!("unhold", unhold, "Release held packages."),
    function!("list_holds", list_holds, "Held packages."),
];

/// A package-manager failure as an execution error.
pub fn failure(e: PkgError) -> ExecError {
    ExecError::Failed(e.to_string())
}

/// Salt's `CommandExecutionError(msg, info={errors, changes})` text.
pub fn problem(what: &str, e: &PkgError, changes: Option<&Map>) -> String {
    let detail = match e {
        PkgError::Failed { message, .. } => message
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n      "),
        other => other.to_string(),
    };
    let mut text = format!("Problem encountered {what} package(s). Additional info follows:\n\n");
    if let Some(ch) = changes {
        // Salt's nested outputter of `{name: {old, new}}`
        text.push_str("changes:\n    ----------\n");
        for (name, change) in ch {
            text.push_str(&format!("    {name}:\n        ----------\n"));
            for (k, v) in change.as_object().into_iter().flatten() {
                let v = v.as_str().unwrap_or_default();
                text.push_str(&format!("        {k}:\n            {v}\n"));
            }
        }
    }
    text.push_str(&format!("errors:\n    - {detail}"));
    text
}

/// Names from `name` (positional or keyword, comma-separated as Salt) and `pkgs`.
pub fn target_names(call: &ExecCall<'_>) -> Vec<String> {
    let mut names: Vec<String> = match call.arg(0, "name") {
        Some(Value::String(s)) => s.split(',').map(str::trim).map(String::from).collect(),
        _ => Vec::new(),
    };
    if let Some(Value::Array(list)) = call.kwargs.get("pkgs") {
        names = list.iter().map(|v| pkg_entry(v).0).collect();
    }
    names.retain(|n| !n.is_empty());
    names
}

/// One `pkgs` entry: `name` or `{name: version}`.
pub fn pkg_entry(v: &Value) -> (String, Option<String>) {
    match v {
        Value::Object(m) => m
            .iter()
            .next()
            .map(|(k, v)| (k.clone(), version_text(v)))
            .unwrap_or_default(),
        other => (halite_api::module::value_to_arg_string(other), None),
    }
}

/// A version value as Salt stringifies it (numbers too; null → none).
pub fn version_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// Positional names (`pkg.version a b`).
fn positional_names(call: &ExecCall<'_>) -> Vec<String> {
    call.args
        .iter()
        .map(halite_api::module::value_to_arg_string)
        .filter(|s| !s.is_empty())
        .collect()
}

/// One name → bare value, several → dict, as Salt's `pkg_resource.version`.
fn per_name(names: &[String], mut values: Map) -> Value {
    if names.len() == 1 {
        return values.remove(&names[0]).unwrap_or_else(|| "".into());
    }
    Value::Object(values)
}

fn version(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let names = positional_names(call);
    if names.is_empty() {
        return Err(ExecError::Invocation("Must pass a package name".into()));
    }
    let mgr = manager::for_ctx(call.ctx).map_err(failure)?;
    let installed = mgr.installed().map_err(failure)?;
    let values = names
        .iter()
        .map(|n| {
            (
                n.clone(),
                installed.get(n).cloned().unwrap_or_else(|| "".into()),
            )
        })
        .collect();
    Ok(per_name(&names, values).into())
}

fn list_pkgs(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let mgr = manager::for_ctx(call.ctx).map_err(failure)?;
    let pkgs = if call.kwarg_bool("removed", false) {
        mgr.config_remains()
    } else {
        mgr.installed()
    }
    .map_err(failure)?;
    if !call.kwarg_bool("versions_as_list", false) {
        return Ok(Value::Object(pkgs).into());
    }
    let listed = pkgs
        .into_iter()
        .map(|(k, v)| {
            let versions: Vec<Value> = v
                .as_str()
                .unwrap_or("")
                .split(',')
                .map(Value::from)
                .collect();
            (k, Value::Array(versions))
        })
        .collect();
    Ok(Value::Object(listed).into())
}

fn info_installed(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let names = positional_names(call);
    let mgr = manager::for_ctx(call.ctx).map_err(failure)?;
    Ok(Value::Object(mgr.info(&names).map_err(failure)?).into())
}

/// Newer versions than installed, `""` where none: Salt's `latest_version`.
pub fn newer_versions(mgr: &dyn Manager, names: &[String]) -> Result<Map, PkgError> {
    let installed = mgr.installed()?;
    let candidates = mgr.candidates(names)?;
    Ok(names
        .iter()
        .map(|n| {
            let cand = candidates.get(n).and_then(Value::as_str).unwrap_or("");
            let cur = installed.get(n).and_then(Value::as_str).unwrap_or("");
            let newer = !cand.is_empty()
                && (cur.is_empty() || vcmp(mgr.scheme(), cand, cur) == std::cmp::Ordering::Greater);
            (n.clone(), Value::from(if newer { cand } else { "" }))
        })
        .collect())
}

/// Refresh when `refresh` (or Salt's rtag) says so; the rtag is cleared.
pub fn maybe_refresh(
    call_ctx: &halite_api::Ctx,
    mgr: &dyn Manager,
    refresh: Option<bool>,
) -> Result<(), PkgError> {
    if refresh::check_refresh(call_ctx, refresh) {
        mgr.refresh()?;
        refresh::clear(call_ctx);
    }
    Ok(())
}

fn refresh_kwarg(call: &ExecCall<'_>) -> Option<bool> {
    call.kwargs
        .get("refresh")
        .map(halite_api::module::value_to_bool)
}

fn latest_version(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let names = positional_names(call);
    if names.is_empty() {
        return Ok(Value::from("").into());
    }
    let mgr = manager::for_ctx(call.ctx).map_err(failure)?;
    maybe_refresh(
        call.ctx,
        mgr.as_ref(),
        Some(refresh_kwarg(call).unwrap_or(true)),
    )
    .map_err(failure)?;
    let newer = newer_versions(mgr.as_ref(), &names).map_err(failure)?;
    Ok(per_name(&names, newer).into())
}

fn upgrade_available(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let names = positional_names(call);
    let Some(name) = names.first() else {
        return Err(ExecError::Invocation(
            "Missing required argument: 'name'".into(),
        ));
    };
    let mgr = manager::for_ctx(call.ctx).map_err(failure)?;
    let newer = newer_versions(mgr.as_ref(), std::slice::from_ref(name)).map_err(failure)?;
    Ok(Value::Bool(
        newer
            .get(name)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty()),
    )
    .into())
}

fn refresh_db(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let mgr = manager::for_ctx(call.ctx).map_err(failure)?;
    let ret = mgr.refresh().map_err(failure)?;
    refresh::clear(call.ctx);
    Ok(ret.into())
}

/// Install targets from a call: `pkgs` entries, or `name` with `version`.
pub fn install_targets(call: &ExecCall<'_>) -> Vec<Target> {
    if let Some(Value::Array(list)) = call.kwargs.get("pkgs") {
        return list
            .iter()
            .map(pkg_entry)
            .map(|(name, version)| Target { name, version })
            .collect();
    }
    let version = call.kwargs.get("version").and_then(version_text);
    target_names(call)
        .into_iter()
        .map(|name| Target {
            name,
            version: version.clone(),
        })
        .collect()
}

/// Install options from a call's keywords.
pub fn install_opts(kwargs: &Map) -> InstallOpts {
    InstallOpts {
        fromrepo: kwargs
            .get("fromrepo")
            .and_then(Value::as_str)
            .map(String::from),
        install_recommends: kwargs
            .get("install_recommends")
            .map(halite_api::module::value_to_bool),
        skip_verify: kwargs
            .get("skip_verify")
            .is_some_and(halite_api::module::value_to_bool),
    }
}

/// Install `targets` not already as wanted; Salt's changes of the install.
/// Held targets are released for the install and held again after.
pub fn install_changes(
    mgr: &dyn Manager,
    targets: &[Target],
    opts: &InstallOpts,
) -> Result<Map, Box<(PkgError, Map)>> {
    let old = mgr.installed().map_err(|e| Box::new((e, Map::new())))?;
    let todo: Vec<Target> = targets
        .iter()
        .filter(
            |t| match (old.get(&t.name).and_then(Value::as_str), &t.version) {
                (None, _) => true,
                (Some(cur), Some(want)) => !crate::version::fulfills(mgr.scheme(), cur, want),
                (Some(_), None) => false,
            },
        )
        .cloned()
        .collect();
    if todo.is_empty() {
        return Ok(Map::new());
    }
    let held = mgr.held().unwrap_or_default();
    let unheld: Vec<&String> = todo
        .iter()
        .map(|t| &t.name)
        .filter(|n| held.contains(n))
        .collect();
    for n in &unheld {
        mgr.set_hold(n, false)
            .map_err(|e| Box::new((e, Map::new())))?;
    }
    let result = mgr.install(&todo, opts);
    for n in &unheld {
        let _ = mgr.set_hold(n, true);
    }
    let new = mgr.installed().map_err(|e| Box::new((e, Map::new())))?;
    let changes = compare(&old, &new);
    match result {
        Ok(()) => Ok(changes),
        Err(e) => Err(Box::new((e, changes))),
    }
}

fn install(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let targets = install_targets(call);
    let mgr = manager::for_ctx(call.ctx).map_err(failure)?;
    maybe_refresh(call.ctx, mgr.as_ref(), refresh_kwarg(call)).map_err(failure)?;
    match install_changes(mgr.as_ref(), &targets, &install_opts(&call.kwargs)) {
        Ok(ch) => Ok(Value::Object(ch).into()),
        Err(f) => Err(ExecError::Failed(problem("installing", &f.0, Some(&f.1)))),
    }
}

/// Remove or purge the installed ones of `names`; Salt's changes (purge:
/// `{removed, installed}`).
pub fn uninstall_changes(
    mgr: &dyn Manager,
    names: &[String],
    purge: bool,
) -> Result<Value, Box<(PkgError, Value)>> {
    let old = mgr.installed().map_err(|e| Box::new((e, Value::Null)))?;
    let old_removed = if purge {
        mgr.config_remains().unwrap_or_default()
    } else {
        Map::new()
    };
    let pending = mgr.pending().map_err(|e| Box::new((e, Value::Null)))?;
    let targets: Vec<String> = names
        .iter()
        .filter(|n| old.contains_key(*n) || old_removed.contains_key(*n) || pending.contains(n))
        .cloned()
        .collect();
    if targets.is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    let result = mgr.remove(&targets, purge);
    let new = mgr.installed().map_err(|e| Box::new((e, Value::Null)))?;
    let changes = compare(&old, &new);
    let ret = if purge {
        let new_removed = mgr.config_remains().unwrap_or_default();
        let mut m = Map::new();
        m.insert(
            "removed".into(),
            Value::Object(compare(&old_removed, &new_removed)),
        );
        m.insert("installed".into(), Value::Object(changes));
        Value::Object(m)
    } else {
        Value::Object(changes)
    };
    match result {
        Ok(()) => Ok(ret),
        Err(e) => Err(Box::new((e, ret))),
    }
}

fn uninstall(call: &ExecCall<'_>, purge: bool) -> Result<ExecOutput, ExecError> {
    let names = target_names(call);
    let mgr = manager::for_ctx(call.ctx).map_err(failure)?;
    match uninstall_changes(mgr.as_ref(), &names, purge) {
        Ok(v) => Ok(v.into()),
        Err(f) => Err(ExecError::Failed(problem(
            "removing",
            &f.0,
            f.1.as_object(),
        ))),
    }
}

fn remove(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    uninstall(call, false)
}

fn purge(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    uninstall(call, true)
}

/// Salt's per-package hold result `{name, changes, result, comment}`.
pub fn hold_one(mgr: &dyn Manager, held: &[String], name: &str, hold: bool, test: bool) -> Value {
    let is_held = held.iter().any(|h| h == name);
    let mut r = Map::new();
    r.insert("name".into(), name.into());
    let (result, comment, changes) = if is_held == hold {
        let c = if hold {
            format!("Package {name} is already set to be held.")
        } else {
            format!("Package {name} is already set not to be held.")
        };
        (Value::Bool(true), c, Map::new())
    } else if test {
        let c = if hold {
            format!("Package {name} is set to be held.")
        } else {
            format!("Package {name} is set not to be held.")
        };
        (Value::Null, c, Map::new())
    } else {
        match mgr.set_hold(name, hold) {
            Ok(()) => {
                let (old, new) = if hold {
                    ("install", "hold")
                } else {
                    ("hold", "install")
                };
                let mut ch = Map::new();
                ch.insert("old".into(), old.into());
                ch.insert("new".into(), new.into());
                let c = if hold {
                    format!("Package {name} is now being held.")
                } else {
                    format!("Package {name} is no longer being held.")
                };
                (Value::Bool(true), c, ch)
            }
            Err(e) => (Value::Bool(false), e.to_string(), Map::new()),
        }
    };
    r.insert("changes".into(), Value::Object(changes));
    r.insert("result".into(), result);
    r.insert("comment".into(), comment.into());
    Value::Object(r)
}

fn hold_call(call: &ExecCall<'_>, hold: bool) -> Result<ExecOutput, ExecError> {
    let names = target_names(call);
    if names.is_empty() {
        return Err(ExecError::Invocation(
            "One of name, pkgs, or sources must be specified.".into(),
        ));
    }
    let mgr = manager::for_ctx(call.ctx).map_err(failure)?;
    let held = mgr.held().map_err(failure)?;
    let ret: Map = names
        .iter()
        .map(|n| {
            (
                n.clone(),
                hold_one(mgr.as_ref(), &held, n, hold, call.ctx.test),
            )
        })
        .collect();
    Ok(Value::Object(ret).into())
}

fn hold(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    hold_call(call, true)
}

fn unhold(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    hold_call(call, false)
}

fn list_holds(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let mgr = manager::for_ctx(call.ctx).map_err(failure)?;
    Ok(Value::from(mgr.held().map_err(failure)?).into())
}
