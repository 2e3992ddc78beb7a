//! The `pillar` execution module: items/data, item, get/fetch, raw, keys, ls,
//! obfuscate. Values leave these functions masked as Salt 3008 does (see
//! [`super::secret`]); `raw` and `keys` stay plain.

use halite_api::module::value_to_arg_string;
use halite_api::value::is_truthy;
use halite_api::{ExecCall, ExecError, ExecSpec, Map, Value};

use super::lookup::{merge_default, str_arg, update};
use super::secret::{mask_pillar, reveal_or_mask, unmask_arg, unmask_or_context};
use super::{ok, required_str, ExecResult};

pub use super::lookup::traverse;

pub const SPECS: &[ExecSpec] = &[
    ExecSpec { name: "pillar.items", doc: "Calls the master for a fresh pillar and generates the pillar data on the fly", run: items },
    ExecSpec { name: "pillar.data", doc: "Calls the master for a fresh pillar, generates the pillar data on the fly (same as :py:func:`items`)", run: items },
    ExecSpec { name: "pillar.item", doc: "Return one or more pillar entries from the in-memory pillar data.", run: item },
    ExecSpec { name: "pillar.get", doc: "Attempt to retrieve the named value from in-memory pillar data.", run: get },
    ExecSpec { name: "pillar.fetch", doc: "Attempt to retrieve the named value from in-memory pillar data.", run: get },
    ExecSpec { name: "pillar.raw", doc: "Return the raw pillar data that is currently loaded into the minion.", run: raw },
    ExecSpec { name: "pillar.keys", doc: "Attempt to retrieve a list of keys from the named value from the pillar.", run: keys },
    ExecSpec { name: "pillar.ls", doc: "Calls the master for a fresh pillar, generates the pillar data on the fly (same as :py:func:`items`), but only shows the available main keys.", run: ls },
    ExecSpec { name: "pillar.obfuscate", doc: "Same as :py:func:`items`, but replace pillar values with a simple type indication.", run: obfuscate },
    ExecSpec { name: "pillar.filter_by", doc: "Return the first match in a dictionary of target patterns", run: filter_by },
];

/// `pillar.items(*args, pillar=None, unmask=None)`: with arguments it is
/// `item(*args)` (whose masking ignores `unmask`); the `pillar` override is
/// merged over the minion's pillar; `pillar_mask_output: False` unmasks by default.
fn items_value(call: &ExecCall<'_>) -> Value {
    if !call.args.is_empty() {
        let keys: Vec<String> = call.args.iter().map(value_to_arg_string).collect();
        let found = lookup_items(call, &keys, &Value::String(String::new()), ":");
        return reveal_or_mask(found, !mask_pillar(call));
    }
    let mut pillar = (*call.ctx.pillar).clone();
    if let Some(overrides @ Value::Object(_)) = call.kwargs.get("pillar") {
        update(&mut pillar, overrides, false);
    }
    let output_masked = call.ctx.opt("pillar_mask_output").is_none_or(is_truthy);
    let unmask = unmask_arg(call).unwrap_or_else(|| !mask_pillar(call) || !output_masked);
    reveal_or_mask(pillar, unmask)
}

fn items(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(
        call,
        &["pillar", "pillar_enc", "pillarenv", "saltenv", "unmask"],
    )?;
    ok(items_value(call))
}

fn lookup_items(call: &ExecCall<'_>, keys: &[String], default: &Value, delimiter: &str) -> Value {
    let found: Map = keys
        .iter()
        .map(|key| {
            let v = traverse(&call.ctx.pillar, key, delimiter)
                .cloned()
                .unwrap_or_else(|| default.clone());
            (key.clone(), v)
        })
        .collect();
    Value::Object(found)
}

fn item(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(
        call,
        &["default", "delimiter", "pillarenv", "saltenv", "unmask"],
    )?;
    let default = call
        .kwargs
        .get("default")
        .filter(|v| !v.is_null())
        .cloned()
        .unwrap_or_else(|| Value::String(String::new()));
    let delimiter = call
        .kwargs
        .get("delimiter")
        .filter(|v| !v.is_null())
        .map(value_to_arg_string)
        .unwrap_or_else(|| ":".into());
    let keys: Vec<String> = call.args.iter().map(value_to_arg_string).collect();
    let found = lookup_items(call, &keys, &default, &delimiter);
    ok(reveal_or_mask(found, unmask_or_context(call)))
}

/// `get(key, default=NOT_SET, merge=False, merge_nested_lists=None, delimiter=':', ...)`.
fn get(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(
        call,
        &[
            "key",
            "default",
            "merge",
            "merge_nested_lists",
            "delimiter",
            "pillarenv",
            "saltenv",
            "unmask",
        ],
    )?;
    let key = required_str(call, 0, "key")?;
    let default = call.arg(1, "default").cloned();
    let merge = call.arg(2, "merge").is_some_and(is_truthy);
    let merge_lists = match call.arg(3, "merge_nested_lists").filter(|v| !v.is_null()) {
        Some(v) => is_truthy(v),
        None => call.ctx.opt("pillar_merge_lists").is_some_and(is_truthy),
    };
    let delimiter = str_arg(call, 4, "delimiter", ":");
    let unmask = unmask_or_context(call);
    let found = traverse(&call.ctx.pillar, &key, &delimiter);
    if merge {
        if let Some(merged) = default
            .as_ref()
            .and_then(|d| merge_default(d, found, merge_lists))
        {
            return ok(reveal_or_mask(merged, unmask));
        }
    }
    let value = match (found, default) {
        (Some(v), _) => v.clone(),
        (None, Some(d)) => d,
        (None, None)
            if call
                .ctx
                .opt("pillar_raise_on_missing")
                .is_some_and(is_truthy) =>
        {
            return Err(ExecError::Failed(format!("Pillar key not found: {key}")));
        }
        (None, None) => Value::String(String::new()),
    };
    ok(reveal_or_mask(value, unmask))
}

/// `raw(key=None, unmask=None)`: unmasked unless `unmask=False`; `key` picks a
/// top-level entry (`{}` when absent).
fn raw(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["key", "unmask"])?;
    let value = match call.arg(0, "key").filter(|k| is_truthy(k)) {
        Some(k) => call
            .ctx
            .pillar
            .get(value_to_arg_string(k))
            .cloned()
            .unwrap_or_else(|| Value::Object(Map::new())),
        None => (*call.ctx.pillar).clone(),
    };
    ok(reveal_or_mask(value, unmask_arg(call).unwrap_or(true)))
}

fn keys(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["key", "delimiter", "unmask"])?;
    let key = required_str(call, 0, "key")?;
    let delimiter = str_arg(call, 1, "delimiter", ":");
    match traverse(&call.ctx.pillar, &key, &delimiter) {
        Some(Value::Object(m)) => ok(Value::Array(m.keys().cloned().map(Value::String).collect())),
        Some(_) => Err(ExecError::Failed(format!(
            "Pillar value in key {key} is not a dict"
        ))),
        None => Err(ExecError::Failed(format!("Pillar key not found: {key}"))),
    }
}

fn ls(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(
        call,
        &["pillar", "pillar_enc", "pillarenv", "saltenv", "unmask"],
    )?;
    let keys = match items_value(call) {
        Value::Object(m) => m.keys().cloned().map(Value::String).collect(),
        _ => Vec::new(),
    };
    ok(Value::Array(keys))
}

/// Salt's `_obfuscate_inner`: leaves become their Python type name.
fn obfuscated(v: &Value) -> Value {
    let name = match v {
        Value::Object(m) => {
            return Value::Object(m.iter().map(|(k, x)| (k.clone(), obfuscated(x))).collect())
        }
        Value::Array(a) => return Value::Array(a.iter().map(obfuscated).collect()),
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
    };
    Value::String(format!("<{name}>"))
}

fn obfuscate(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(
        call,
        &["pillar", "pillar_enc", "pillarenv", "saltenv", "unmask"],
    )?;
    ok(obfuscated(&items_value(call)))
}

/// `filter_by(lookup_dict, pillar, merge=None, default='default', base=None)`.
fn filter_by(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["lookup_dict", "pillar", "merge", "default", "base"])?;
    ok(super::lookup::filter_by_call(
        call,
        &call.ctx.pillar,
        "pillar",
        None,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::secret::{MASK_PILLAR_KWARG, REDACT_PLACEHOLDER as P};
    use crate::testutil::{ctx_with, FakeRunner, TempDir};
    use halite_api::Ctx;
    use serde_json::json;

    fn call(ctx: &Ctx, fun: &str, args: Vec<Value>, kw: Value) -> Value {
        ctx.call(fun, args, kw.as_object().unwrap().clone())
            .unwrap()
            .ret
    }

    /// A call as the template layer makes it.
    fn from_template(ctx: &Ctx, fun: &str, args: Vec<Value>, kw: Value) -> Value {
        let mut kw = kw;
        kw[MASK_PILLAR_KWARG] = json!(false);
        call(ctx, fun, args, kw)
    }

    #[test]
    fn get_default_and_merge_in_templates() {
        let d = TempDir::new("pillar");
        let ctx = ctx_with(FakeRunner::new(), &d.0);
        let get = |args: Vec<Value>, kw: Value| from_template(&ctx, "pillar.get", args, kw);
        assert_eq!(get(vec![json!("app:owner")], json!({})), json!("alice"));
        assert_eq!(get(vec![json!("app:nope")], json!({})), json!(""));
        assert_eq!(get(vec![json!("app:nope"), json!(7)], json!({})), json!(7));
        assert_eq!(
            get(
                vec![json!("app")],
                json!({"default": {"owner": "x", "extra": 1}, "merge": true})
            ),
            json!({"owner": "alice", "extra": 1, "ports": [80, 443]})
        );
        assert_eq!(
            get(
                vec![json!("app:ports"), json!([22, 80])],
                json!({"merge": true})
            ),
            json!([22, 80, 443])
        );
        assert_eq!(
            get(vec![json!("app.owner")], json!({"delimiter": "."})),
            json!("alice")
        );
        let item = from_template(
            &ctx,
            "pillar.items",
            vec![json!("motd"), json!("zz")],
            json!({}),
        );
        assert_eq!(item, json!({"motd": "hello", "zz": ""}));
    }

    #[test]
    fn cli_calls_are_masked_unless_unmasked() {
        let d = TempDir::new("pillar");
        let ctx = ctx_with(FakeRunner::new(), &d.0);
        assert_eq!(
            call(&ctx, "pillar.get", vec![json!("app")], json!({})),
            json!({"owner": P, "ports": [P, P]})
        );
        assert_eq!(
            call(
                &ctx,
                "pillar.get",
                vec![json!("nope"), json!("d")],
                json!({})
            ),
            json!(P)
        );
        assert_eq!(
            call(&ctx, "pillar.get", vec![json!("nope")], json!({})),
            json!("")
        );
        assert_eq!(
            call(
                &ctx,
                "pillar.get",
                vec![json!("app:owner")],
                json!({"unmask": true})
            ),
            json!("alice")
        );
        assert_eq!(
            call(
                &ctx,
                "pillar.item",
                vec![json!("motd"), json!("zz")],
                json!({})
            ),
            json!({"motd": P, "zz": ""})
        );
        // items(*args) is item(*args): it ignores unmask.
        assert_eq!(
            call(
                &ctx,
                "pillar.items",
                vec![json!("motd")],
                json!({"unmask": true})
            ),
            json!({"motd": P})
        );
        let items = call(&ctx, "pillar.items", vec![], json!({}));
        assert_eq!(items["app"]["ports"], json!([P, P]));
        let raw = call(&ctx, "pillar.raw", vec![json!("motd")], json!({}));
        assert_eq!(raw, json!("hello"));
        let masked_raw = call(&ctx, "pillar.raw", vec![], json!({"unmask": false}));
        assert_eq!(masked_raw["motd"], json!(P));
    }

    #[test]
    fn pillar_mask_output_only_changes_items() {
        let d = TempDir::new("pillar");
        let mut ctx = ctx_with(FakeRunner::new(), &d.0);
        let mut opts = (*ctx.opts).clone();
        opts.insert("pillar_mask_output".into(), json!(false));
        ctx.opts = std::sync::Arc::new(opts);
        assert_eq!(
            call(&ctx, "pillar.items", vec![], json!({}))["motd"],
            json!("hello")
        );
        assert_eq!(
            call(&ctx, "pillar.items", vec![], json!({"unmask": false}))["motd"],
            json!(P)
        );
        assert_eq!(
            call(&ctx, "pillar.get", vec![json!("motd")], json!({})),
            json!(P)
        );
    }

    #[test]
    fn ls_keys_obfuscate() {
        let d = TempDir::new("pillar");
        let ctx = ctx_with(FakeRunner::new(), &d.0);
        let ls = call(&ctx, "pillar.ls", vec![], json!({}));
        assert!(ls.as_array().unwrap().contains(&json!("app")));
        assert_eq!(
            call(&ctx, "pillar.keys", vec![json!("app")], json!({})),
            json!(["owner", "ports"])
        );
        let ob = call(&ctx, "pillar.obfuscate", vec![], json!({"unmask": true}));
        assert_eq!(
            ob["app"],
            json!({"owner": "<str>", "ports": ["<int>", "<int>"]})
        );
        let ob = call(&ctx, "pillar.obfuscate", vec![], json!({}));
        assert_eq!(ob["app"]["ports"], json!(["<str>", "<str>"]));
        let err = ctx
            .call("pillar.keys", vec![json!("motd")], Map::new())
            .unwrap_err();
        assert_eq!(err.to_string(), "Pillar value in key motd is not a dict");
    }
}
