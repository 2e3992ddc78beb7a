//! `rpm_ostree.*`: status, booted, pending, upgrade, deploy, rebase,
//! rollback, install, uninstall, kargs, cleanup, finalize, pin, unpin.

use halite_api::{ExecCall, ExecError, ExecOutput, ExecSpec, Map, Value};
use serde_json::json;

use super::{list_arg, summary, tool_err, value_list};
use crate::tool::{strings, Outcome, Tools};

macro_rules! function {
    ($name:literal, $run:ident, $doc:literal) => {
        ExecSpec {
            name: concat!("rpm_ostree.", $name),
            doc: $doc,
            run: $run,
        }
    };
}

pub const FUNCTIONS: &[ExecSpec] = &[
    function!("status", status, "The whole `rpm-ostree status --json` document."),
    function!("booted", booted, "The booted deployment."),
    function!("pending", pending, "The deployment that boots next when it is not the booted one (None otherwise)."),
    function!("upgrade", upgrade, "Upgrade to the newest commit of the origin (check=True / preview=True only look)."),
    function!("deploy", deploy, "Deploy a revision: version=..., revision=<checksum> or an image digest."),
    function!("rebase", rebase, "Switch the origin to REFSPEC (ostree ref or container image), optionally at REVISION."),
    function!("rollback", rollback, "Make the other deployment the default for the next boot."),
    function!("install", install, "Layer packages (idempotent)."),
    function!("uninstall", uninstall, "Remove layered packages (idempotent)."),
    function!("kargs", kargs, "Show the default deployment's kernel arguments, or change them (append=, delete=, replace=)."),
    function!("cleanup", cleanup, "Remove deployments and caches (pending=, rollback=, base=, repomd=)."),
    function!("finalize", finalize, "Unlock the staged deployment (CHECKSUM, default: the staged one) and reboot into it."),
    function!("pin", pin, "Pin deployment INDEX so cleanup keeps it."),
    function!("unpin", unpin, "Unpin deployment INDEX."),
];

fn status(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let st = Tools::for_ctx(call.ctx)
        .rpm_ostree_status()
        .map_err(tool_err)?;
    Ok(serde_json::to_value(st).unwrap_or(Value::Null).into())
}

fn booted(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let st = Tools::for_ctx(call.ctx)
        .rpm_ostree_status()
        .map_err(tool_err)?;
    Ok(st.booted().map(summary).unwrap_or(Value::Null).into())
}

fn pending(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let st = Tools::for_ctx(call.ctx)
        .rpm_ostree_status()
        .map_err(tool_err)?;
    Ok(st.pending().map(summary).unwrap_or(Value::Null).into())
}

/// `--reboot`, `--bypass-driver`, `--lock-finalization` from keyword flags.
fn common_flags(call: &ExecCall<'_>, driver_aware: bool) -> Vec<String> {
    let mut flags = Vec::new();
    if call.kwarg_bool("lock_finalization", false) {
        flags.push("--lock-finalization".to_string());
    }
    if call.kwarg_bool("reboot", false) {
        flags.push("--reboot".to_string());
    }
    if driver_aware && call.kwarg_bool("bypass_driver", false) {
        flags.push("--bypass-driver".to_string());
    }
    flags
}

/// Run a mutating verb, then report what status shows.
fn mutate(call: &ExecCall<'_>, args: Vec<String>) -> Result<ExecOutput, ExecError> {
    let tools = Tools::for_ctx(call.ctx);
    let outcome = tools.rpm_ostree_mutate(&args).map_err(tool_err)?;
    let st = tools.rpm_ostree_status().map_err(tool_err)?;
    let pending = st.pending().map(summary).unwrap_or(Value::Null);
    Ok(json!({
        "changed": outcome == Outcome::Done && !pending.is_null(),
        "command": format!("rpm-ostree {}", args.join(" ")),
        "pending": pending,
        "reboot_required": st.pending().is_some(),
    })
    .into())
}

fn upgrade(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    if call.kwarg_bool("check", false) || call.kwarg_bool("preview", false) {
        return check_upgrade(call);
    }
    let mut args = strings(&["upgrade", "--unchanged-exit-77"]);
    args.extend(common_flags(call, true));
    if call.kwarg_bool("allow_downgrade", false) {
        args.push("--allow-downgrade".into());
    }
    mutate(call, args)
}

/// `upgrade --check|--preview`: 77 = up to date; 0 = `cached-update` in status.
fn check_upgrade(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let tools = Tools::for_ctx(call.ctx);
    let verb = if call.kwarg_bool("preview", false) {
        "--preview"
    } else {
        "--check"
    };
    let args = strings(&["upgrade", verb]);
    match tools.rpm_ostree_mutate(&args).map_err(tool_err)? {
        Outcome::Unchanged => Ok(json!({"available": false, "update": null}).into()),
        Outcome::Done => {
            let st = tools.rpm_ostree_status().map_err(tool_err)?;
            let update = st.cached_update.map(Value::Object).unwrap_or(Value::Null);
            Ok(json!({"available": !update.is_null(), "update": update}).into())
        }
    }
}

fn deploy(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let revision = call
        .arg_str(0, "revision")
        .ok_or_else(|| ExecError::Invocation("Missing required argument: 'revision'".into()))?;
    let mut args = strings(&["deploy", "--unchanged-exit-77"]);
    args.extend(common_flags(call, true));
    args.push(revision);
    mutate(call, args)
}

fn rebase(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let refspec = call
        .arg_str(0, "refspec")
        .ok_or_else(|| ExecError::Invocation("Missing required argument: 'refspec'".into()))?;
    let mut args = strings(&["rebase"]);
    args.extend(common_flags(call, true));
    args.push(refspec);
    args.extend(call.arg_str(1, "revision"));
    mutate(call, args)
}

fn rollback(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let mut args = strings(&["rollback"]);
    if call.kwarg_bool("reboot", false) {
        args.push("--reboot".into());
    }
    let tools = Tools::for_ctx(call.ctx);
    let before = tools.rpm_ostree_status().map_err(tool_err)?;
    tools.rpm_ostree_mutate(&args).map_err(tool_err)?;
    let st = tools.rpm_ostree_status().map_err(tool_err)?;
    let id = |s: &crate::model::rpm_ostree::Status| s.default_deployment().map(|d| d.id.clone());
    Ok(json!({
        "changed": id(&before) != id(&st),
        "default": st.default_deployment().map(summary),
        "reboot_required": st.pending().is_some(),
    })
    .into())
}

fn packages_call(call: &ExecCall<'_>, verb: &str) -> Result<ExecOutput, ExecError> {
    let pkgs = list_arg(call, "pkgs");
    if pkgs.is_empty() {
        return Err(ExecError::Invocation("No packages given".into()));
    }
    let mut args = strings(&[verb, "--idempotent", "--unchanged-exit-77"]);
    if verb == "install" {
        args.push("--allow-inactive".into());
    }
    args.extend(common_flags(call, false));
    args.extend(pkgs);
    mutate(call, args)
}

fn install(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    packages_call(call, "install")
}

fn uninstall(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    packages_call(call, "uninstall")
}

fn kargs(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let mut edits = Vec::new();
    for (key, flag) in [
        ("append", "--append-if-missing"),
        ("delete", "--delete-if-present"),
        ("replace", "--replace"),
    ] {
        for v in value_list(call.kwargs.get(key)) {
            edits.push(format!("{flag}={v}"));
        }
    }
    let tools = Tools::for_ctx(call.ctx);
    if edits.is_empty() {
        let shown = tools.rpm_ostree_kargs().map_err(tool_err)?;
        return Ok(Value::from(shown).into());
    }
    let mut args = strings(&["kargs", "--unchanged-exit-77"]);
    args.extend(common_flags(call, false));
    args.extend(edits);
    let outcome = tools.rpm_ostree_mutate(&args).map_err(tool_err)?;
    let now = tools.rpm_ostree_kargs().map_err(tool_err)?;
    Ok(json!({"changed": outcome == Outcome::Done, "kargs": now}).into())
}

fn cleanup(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let mut args = strings(&["cleanup"]);
    for (key, flag) in [
        ("pending", "--pending"),
        ("rollback", "--rollback"),
        ("base", "--base"),
        ("repomd", "--repomd"),
    ] {
        if call.kwarg_bool(key, false) {
            args.push(flag.into());
        }
    }
    if args.len() == 1 {
        return Err(ExecError::Invocation(
            "Give at least one of pending=True, rollback=True, base=True, repomd=True".into(),
        ));
    }
    let tools = Tools::for_ctx(call.ctx);
    tools.rpm_ostree_mutate(&args).map_err(tool_err)?;
    let st = tools.rpm_ostree_status().map_err(tool_err)?;
    let left: Vec<Value> = st.deployments.iter().map(summary).collect();
    Ok(json!({"deployments": left}).into())
}

fn finalize(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let tools = Tools::for_ctx(call.ctx);
    let checksum = match call.arg_str(0, "checksum") {
        Some(c) => c,
        None => {
            let st = tools.rpm_ostree_status().map_err(tool_err)?;
            st.staged()
                .map(|d| d.finalize_checksum().to_string())
                .ok_or_else(|| ExecError::Failed("No staged deployment to finalize".into()))?
        }
    };
    let args = vec!["finalize-deployment".to_string(), checksum.clone()];
    tools.rpm_ostree_mutate(&args).map_err(tool_err)?;
    Ok(json!({"finalized": checksum, "rebooting": true}).into())
}

fn pin_call(call: &ExecCall<'_>, unpin: bool) -> Result<ExecOutput, ExecError> {
    let index = call
        .arg_str(0, "index")
        .ok_or_else(|| ExecError::Invocation("Missing required argument: 'index'".into()))?;
    if index.parse::<u32>().is_err() {
        return Err(ExecError::Invocation(format!(
            "index: expected a deployment index (0, 1, ...), got '{index}'"
        )));
    }
    let mut args = strings(&["pin"]);
    if unpin {
        args.push("--unpin".into());
    }
    args.push(index.clone());
    let tools = Tools::for_ctx(call.ctx);
    let out = tools.ostree_admin(&args).map_err(tool_err)?;
    let mut ret = Map::new();
    ret.insert("index".into(), index.into());
    ret.insert("pinned".into(), (!unpin).into());
    ret.insert("stdout".into(), out.into());
    Ok(Value::Object(ret).into())
}

fn pin(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    pin_call(call, false)
}

fn unpin(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    pin_call(call, true)
}
