//! The `config` execution module: get (opts → grains → pillar → master opts),
//! option, and merge (every match merged, as `mine_functions` is read).

use halite_api::{Ctx, ExecCall, ExecSpec, Map, Value};

use super::lookup::traverse;
use super::{ok, required_str, ExecResult};

pub const SPECS: &[ExecSpec] = &[
    ExecSpec { name: "config.get", doc: "Attempt to retrieve the named value from the minion config file, pillar, grains or the master config.", run: get },
    ExecSpec { name: "config.option", doc: "Returns the setting for the specified config value.", run: option },
    ExecSpec { name: "config.merge", doc: "Retrieves an option based on key, merging all matches.", run: merge },
];

fn get(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(
        call,
        &[
            "key",
            "default",
            "delimiter",
            "merge",
            "omit_opts",
            "omit_pillar",
            "omit_master",
            "omit_grains",
        ],
    )?;
    let key = required_str(call, 0, "key")?;
    let default = call
        .arg(1, "default")
        .cloned()
        .unwrap_or_else(|| Value::String(String::new()));
    let delimiter = call
        .kwargs
        .get("delimiter")
        .and_then(Value::as_str)
        .unwrap_or(":")
        .to_string();
    let opts = Value::Object((*call.ctx.opts).clone());
    let master = call
        .ctx
        .pillar
        .get("master")
        .cloned()
        .unwrap_or(Value::Null);
    let sources: [(&str, &Value); 4] = [
        ("omit_opts", &opts),
        ("omit_grains", &call.ctx.grains),
        ("omit_pillar", &call.ctx.pillar),
        ("omit_master", &master),
    ];
    for (omit_key, source) in sources {
        if call.kwarg_bool(omit_key, false) {
            continue;
        }
        if let Some(v) = traverse(source, &key, &delimiter) {
            return ok(v.clone());
        }
    }
    ok(default)
}

fn option(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(
        call,
        &[
            "value",
            "default",
            "omit_opts",
            "omit_grains",
            "omit_pillar",
            "omit_master",
            "omit_all",
            "wildcard",
        ],
    )?;
    let key = required_str(call, 0, "value")?;
    let default = call
        .arg(1, "default")
        .cloned()
        .unwrap_or_else(|| Value::String(String::new()));
    if !call.kwarg_bool("omit_opts", false) {
        if let Some(v) = call.ctx.opts.get(&key) {
            return ok(v.clone());
        }
    }
    if !call.kwarg_bool("omit_master", false) {
        if let Some(v) = call.ctx.pillar.get("master").and_then(|m| m.get(&key)) {
            return ok(v.clone());
        }
    }
    if !call.kwarg_bool("omit_pillar", false) {
        if let Some(v) = call.ctx.pillar.get(&key) {
            return ok(v.clone());
        }
    }
    ok(default)
}

fn merge(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(
        call,
        &[
            "value",
            "default",
            "omit_opts",
            "omit_master",
            "omit_pillar",
        ],
    )?;
    let key = required_str(call, 0, "value")?;
    let omit = |k: &str| call.kwarg_bool(k, false);
    let found = merge_sources(
        call.ctx,
        &key,
        [omit("omit_opts"), omit("omit_master"), omit("omit_pillar")],
    );
    ok(found.unwrap_or_else(|| {
        call.arg(1, "default")
            .cloned()
            .unwrap_or_else(|| Value::String(String::new()))
    }))
}

/// Salt's `config.merge(key)` with nothing omitted: `None` when no source has it.
pub fn merged(ctx: &Ctx, key: &str) -> Option<Value> {
    merge_sources(ctx, key, [false; 3])
}

/// Opts, then the master's opts in pillar, then pillar. The first string
/// found wins outright; dicts merge with the earlier source's keys winning;
/// lists concatenate in source order; other kinds keep the first.
fn merge_sources(ctx: &Ctx, key: &str, omitted: [bool; 3]) -> Option<Value> {
    let master = ctx.pillar.get("master").and_then(|m| m.get(key));
    let sources = [ctx.opts.get(key), master, ctx.pillar.get(key)];
    let mut ret: Option<Value> = None;
    for (found, omit) in sources.into_iter().zip(omitted) {
        let Some(found) = found.filter(|_| !omit) else {
            continue;
        };
        ret = Some(match ret {
            None if found.is_string() => return Some(found.clone()),
            None => found.clone(),
            Some(Value::Object(earlier)) if found.is_object() => {
                let mut merged: Map = found.as_object().cloned().unwrap_or_default();
                merged.extend(earlier);
                Value::Object(merged)
            }
            Some(Value::Array(mut earlier)) if found.is_array() => {
                earlier.extend(found.as_array().cloned().unwrap_or_default());
                Value::Array(earlier)
            }
            Some(other) => other,
        });
    }
    ret
}

#[cfg(test)]
mod tests {
    use crate::testutil::{ctx_with, FakeRunner, TempDir};
    use halite_api::Map;
    use serde_json::json;

    #[test]
    fn lookup_order() {
        let d = TempDir::new("config");
        let ctx = ctx_with(FakeRunner::new(), &d.0);
        let get = |k: &str, kw: serde_json::Value| {
            ctx.call(
                "config.get",
                vec![json!(k)],
                kw.as_object().unwrap().clone(),
            )
            .unwrap()
            .ret
        };
        assert_eq!(get("id", json!({})), json!("minion1"));
        assert_eq!(get("os", json!({})), json!("Debian"));
        assert_eq!(get("app:owner", json!({})), json!("alice"));
        assert_eq!(get("file_roots:base", json!({})), json!(["/srv/salt"]));
        assert_eq!(get("nope", json!({"default": 3})), json!(3));
        assert_eq!(
            ctx.call("config.option", vec![json!("motd")], Map::new())
                .unwrap()
                .ret,
            json!("hello")
        );
    }
}
