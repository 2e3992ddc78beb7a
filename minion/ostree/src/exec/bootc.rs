//! `bootc.*`: status, upgrade (check), switch, rollback. Never
//! `upgrade --apply`: it does not return (the reboot ends it).

use halite_api::{ExecCall, ExecError, ExecOutput, ExecSpec, Value};
use serde_json::json;

use super::tool_err;
use crate::model::bootc::Host;
use crate::tool::{strings, Tools};

pub const FUNCTIONS: &[ExecSpec] = &[
    ExecSpec {
        name: "bootc.status",
        doc: "The whole `bootc status --json` host document.",
        run: status,
    },
    ExecSpec {
        name: "bootc.upgrade",
        doc: "Stage the newest image of the tracked reference (check=True only looks).",
        run: upgrade,
    },
    ExecSpec {
        name: "bootc.switch",
        doc: "Track IMAGE (transport=registry|oci|...) and stage it.",
        run: switch,
    },
    ExecSpec {
        name: "bootc.rollback",
        doc: "Queue the rollback deployment for the next boot.",
        run: rollback,
    },
];

fn status(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let host = Tools::for_ctx(call.ctx).bootc_status().map_err(tool_err)?;
    Ok(serde_json::to_value(host).unwrap_or(Value::Null).into())
}

/// The staged image after a call, as returned to the caller.
fn staged_view(host: &Host) -> Value {
    match host.staged_image() {
        Some(img) => json!({
            "image": img.image.image,
            "version": img.version,
            "digest": img.image_digest,
        }),
        None => Value::Null,
    }
}

fn upgrade(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let tools = Tools::for_ctx(call.ctx);
    let check = call.kwarg_bool("check", false);
    let args = if check {
        strings(&["upgrade", "--check"])
    } else {
        strings(&["upgrade"])
    };
    let before = tools.bootc_status().map_err(tool_err)?;
    tools.bootc(&args).map_err(tool_err)?;
    let after = tools.bootc_status().map_err(tool_err)?;
    if check {
        // `--check` exits 0 either way: the cached update in status decides.
        let cached = after
            .status
            .booted
            .as_ref()
            .and_then(|b| b.cached_update.as_ref());
        return Ok(json!({
            "available": cached.is_some(),
            "update": cached.map(|c| json!({"version": c.version, "digest": c.image_digest})),
        })
        .into());
    }
    Ok(json!({
        "changed": before.status.staged != after.status.staged && after.status.staged.is_some(),
        "staged": staged_view(&after),
        "reboot_required": after.status.staged.is_some(),
    })
    .into())
}

fn switch(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let image = call
        .arg_str(0, "image")
        .ok_or_else(|| ExecError::Invocation("Missing required argument: 'image'".into()))?;
    let mut args = strings(&["switch"]);
    if let Some(t) = call.arg_str(1, "transport") {
        args.push(format!("--transport={t}"));
    }
    args.push(image);
    let tools = Tools::for_ctx(call.ctx);
    tools.bootc(&args).map_err(tool_err)?;
    let after = tools.bootc_status().map_err(tool_err)?;
    Ok(json!({
        "changed": after.status.staged.is_some(),
        "staged": staged_view(&after),
        "reboot_required": after.status.staged.is_some(),
    })
    .into())
}

fn rollback(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let tools = Tools::for_ctx(call.ctx);
    tools.bootc(&strings(&["rollback"])).map_err(tool_err)?;
    let after = tools.bootc_status().map_err(tool_err)?;
    Ok(json!({
        "changed": true,
        "rollback_queued": after.status.rollback_queued,
    })
    .into())
}
