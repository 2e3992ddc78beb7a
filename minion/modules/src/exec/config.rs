//! The `config` execution module: get (opts → grains → pillar → master opts) and option.

use halite_api::{ExecCall, ExecSpec, Value};

use super::lookup::traverse;
use super::{ok, required_str, ExecResult};

pub const SPECS: &[ExecSpec] = &[
    ExecSpec { name: "config.get", doc: "Attempt to retrieve the named value from the minion config file, pillar, grains or the master config.", run: get },
    ExecSpec { name: "config.option", doc: "Returns the setting for the specified config value.", run: option },
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
