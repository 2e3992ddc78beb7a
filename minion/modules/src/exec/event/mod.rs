//! The `event` execution module: events sent up to the master's event bus
//! (`event.send`, `event.fire_master`), as Salt 3008.4's `modules/event.py`.
//!
//! Through a master the event is a `_minion_event` load on the job's
//! request channel ([`halite_api::MasterChannel`]). Its shape follows the
//! path Salt takes: from salt-call, or with `preload`, the direct load
//! (`id`, `tag`, `data`, `cmd` and the preload's keys); from the minion
//! daemon, the load its `fire_master` event handler sends (with `pretag`).
//! Masterless, Salt sends nothing and returns False: `fire_master` warns
//! "Local mode detected", `send` fires on the local minion event bus,
//! which a masterless run has none of.
//!
//! `event.fire` (the minion's own event bus) is not provided: Halite's
//! minion has no local event bus.

use halite_api::{Ctx, ExecCall, ExecError, ExecSpec, Map, MasterError, Value};

use super::{ok, required_str, ExecResult};

pub const SPECS: &[ExecSpec] = &[
    ExecSpec {
        name: "event.send",
        doc: "Send an event to the Salt Master",
        run: send,
    },
    ExecSpec {
        name: "event.fire_master",
        doc: "Fire an event off up to the master server",
        run: fire_master,
    },
];

/// Salt's test for a run without a master.
fn is_local(ctx: &Ctx, master_type_disable_counts: bool) -> bool {
    let on = |k: &str| ctx.opt(k).is_some_and(halite_api::value::is_truthy);
    let local = on("local")
        || ctx.opt("file_client").and_then(Value::as_str) == Some("local")
        || (master_type_disable_counts
            && ctx.opt("master_type").and_then(Value::as_str) == Some("disable"));
    local && !on("use_master_when_local")
}

fn fire_master(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["data", "tag", "preload"])?;
    let data = call
        .arg(0, "data")
        .cloned()
        .ok_or_else(|| missing("data"))?;
    let tag = required_str(call, 1, "tag")?;
    let preload = call.arg(2, "preload").cloned();
    if is_local(call.ctx, false) {
        tracing::warn!("Local mode detected. Event with tag {tag} will NOT be sent.");
        return ok(false);
    }
    ok(to_master(call.ctx, &tag, data, preload.as_ref()))
}

fn send(call: &ExecCall<'_>) -> ExecResult {
    let tag = required_str(call, 0, "tag")?;
    let flag = |i: usize, key: &str| call.arg(i, key).cloned().unwrap_or(Value::Bool(false));
    let mut data = Map::new();
    let with_env = flag(3, "with_env");
    if halite_api::value::is_truthy(&with_env) {
        let environ: Map = std::env::vars().map(|(k, v)| (k, Value::from(v))).collect();
        data.insert("environ".into(), subset(&with_env, environ));
    }
    let with_grains = flag(4, "with_grains");
    if halite_api::value::is_truthy(&with_grains) {
        data.insert(
            "grains".into(),
            subset(&with_grains, object(&call.ctx.grains)),
        );
    }
    let with_pillar = flag(5, "with_pillar");
    if halite_api::value::is_truthy(&with_pillar) {
        data.insert(
            "pillar".into(),
            subset(&with_pillar, object(&call.ctx.pillar)),
        );
    }
    if halite_api::value::is_truthy(&flag(6, "with_env_opts")) {
        let opt = |k: &str| call.ctx.opt(k).cloned();
        data.insert("saltenv".into(), opt("saltenv").unwrap_or("base".into()));
        data.insert("pillarenv".into(), opt("pillarenv").unwrap_or(Value::Null));
    }
    const NAMED: &[&str] = &[
        "tag",
        "data",
        "preload",
        "with_env",
        "with_grains",
        "with_pillar",
        "with_env_opts",
    ];
    for (k, v) in call.kwargs.iter() {
        if !NAMED.contains(&k.as_str()) && !is_internal(k) {
            data.insert(k.clone(), v.clone());
        }
    }
    if let Some(Value::Object(given)) = call.arg(1, "data") {
        data.extend(given.clone());
    }
    if is_local(call.ctx, true) {
        // Salt fires on the local minion bus, which a masterless run lacks
        tracing::debug!("event {tag}: no minion event bus in a masterless run; not sent");
        return ok(false);
    }
    let preload = call.arg(2, "preload").cloned();
    ok(to_master(
        call.ctx,
        &tag,
        Value::Object(data),
        preload.as_ref(),
    ))
}

/// Halite's own markers; Salt's `__pub_*` keys stay, as Salt puts them into
/// the event's data.
fn is_internal(key: &str) -> bool {
    key.starts_with("__") && !key.starts_with("__pub_")
}

/// Send the `_minion_event` load; True when the master took it.
fn to_master(ctx: &Ctx, tag: &str, data: Value, preload: Option<&Value>) -> bool {
    match ctx.request_master(event_load(ctx, tag, data, preload)) {
        Ok(_) => true,
        Err(MasterError::NotConnected) => {
            tracing::error!("event {tag}: no master connection in this run; not sent");
            false
        }
        Err(err) => {
            tracing::info!("fire_master failed: {err}");
            false
        }
    }
}

/// The load Salt sends on the path this run takes (see the module comment).
fn event_load(ctx: &Ctx, tag: &str, data: Value, preload: Option<&Value>) -> Map {
    let from_salt_call = ctx.opt("__cli").and_then(Value::as_str) == Some("salt-call");
    let direct = from_salt_call || preload.is_some_and(halite_api::value::is_truthy);
    if !direct {
        return match halite_proto::loads::event_load(ctx.minion_id(), tag, &data) {
            Value::Object(load) => load,
            _ => Map::new(),
        };
    }
    let mut load = Map::from_iter([
        ("id".to_string(), Value::from(ctx.minion_id())),
        ("tag".to_string(), Value::from(tag)),
        ("data".to_string(), data),
        ("cmd".to_string(), Value::from("_minion_event")),
    ]);
    if let Some(Value::Object(extra)) = preload {
        load.extend(extra.clone());
    }
    load
}

/// Salt's `_dict_subset`: a list names the keys to keep; anything else true keeps all.
fn subset(selector: &Value, all: Map) -> Value {
    match selector {
        Value::Array(keys) => Value::Object(
            all.into_iter()
                .filter(|(k, _)| keys.iter().any(|s| s.as_str() == Some(k)))
                .collect(),
        ),
        _ => Value::Object(all),
    }
}

fn object(v: &Value) -> Map {
    v.as_object().cloned().unwrap_or_default()
}

fn missing(key: &str) -> ExecError {
    ExecError::Invocation(format!("Missing required argument: '{key}'"))
}

#[cfg(test)]
mod tests;
