//! The `pillar` execution module: items, item, get, raw, keys; plus Salt's
//! `traverse_dict_and_list` lookup shared with grains and config.

use halite_api::value::merge_into;
use halite_api::{ExecCall, ExecSpec, Map, Value};

use super::{ok, required_str, ExecResult};

pub const SPECS: &[ExecSpec] = &[
    ExecSpec { name: "pillar.items", doc: "Calls the master for a fresh pillar and generates the pillar data on the fly", run: items },
    ExecSpec { name: "pillar.item", doc: "Return one or more pillar entries from the in-memory pillar data.", run: item },
    ExecSpec { name: "pillar.get", doc: "Attempt to retrieve the named value from pillar, if the named value is not available return the passed default.", run: get },
    ExecSpec { name: "pillar.raw", doc: "Return the raw pillar data that is currently loaded into the minion.", run: raw },
    ExecSpec { name: "pillar.keys", doc: "Attempt to retrieve a list of keys from the named value from the pillar.", run: keys },
];

/// Salt's `traverse_dict_and_list`: dict keys, list indexes, or the first dict
/// in a list holding the key.
pub fn traverse<'a>(root: &'a Value, key: &str, delimiter: &str) -> Option<&'a Value> {
    let mut cur = root;
    for part in key.split(delimiter) {
        cur = match cur {
            Value::Object(m) => m.get(part)?,
            Value::Array(items) => match part.parse::<usize>() {
                Ok(i) => items.get(i)?,
                Err(_) => items
                    .iter()
                    .find_map(|it| it.as_object().and_then(|m| m.get(part)))?,
            },
            _ => return None,
        };
    }
    Some(cur)
}

/// `get(key, default, merge)` as in `pillar.get` / `grains.get`.
pub fn get_with_default(
    root: &Value,
    key: &str,
    default: Value,
    merge: bool,
    delimiter: &str,
) -> Value {
    let found = traverse(root, key, delimiter).cloned();
    match (merge, found) {
        (_, None) => default,
        (true, Some(found)) => merge_default(default, found),
        (false, Some(found)) => found,
    }
}

fn merge_default(default: Value, found: Value) -> Value {
    match (default, found) {
        (mut d @ Value::Object(_), f @ Value::Object(_)) => {
            merge_into(&mut d, &f);
            d
        }
        (Value::Array(mut d), Value::Array(f)) => {
            for item in f {
                if !d.contains(&item) {
                    d.push(item);
                }
            }
            Value::Array(d)
        }
        (_, f) => f,
    }
}

/// The common `(key, default, merge, delimiter)` arguments.
pub fn lookup_args(
    call: &ExecCall<'_>,
) -> Result<(String, Value, bool, String), halite_api::ExecError> {
    let key = required_str(call, 0, "key")?;
    let default = call
        .arg(1, "default")
        .cloned()
        .unwrap_or_else(|| Value::String(String::new()));
    let merge = call
        .args
        .get(2)
        .map(halite_api::module::value_to_bool)
        .unwrap_or_else(|| call.kwarg_bool("merge", false));
    let delimiter = call
        .kwargs
        .get("delimiter")
        .and_then(Value::as_str)
        .unwrap_or(":")
        .to_string();
    Ok((key, default, merge, delimiter))
}

fn items(call: &ExecCall<'_>) -> ExecResult {
    ok((*call.ctx.pillar).clone())
}

fn item(call: &ExecCall<'_>) -> ExecResult {
    let default = call
        .kwargs
        .get("default")
        .cloned()
        .unwrap_or_else(|| Value::String(String::new()));
    let delimiter = call
        .kwargs
        .get("delimiter")
        .and_then(Value::as_str)
        .unwrap_or(":");
    let mut ret = Map::new();
    for a in &call.args {
        let key = halite_api::module::value_to_arg_string(a);
        let v = traverse(&call.ctx.pillar, &key, delimiter)
            .cloned()
            .unwrap_or_else(|| default.clone());
        ret.insert(key, v);
    }
    ok(Value::Object(ret))
}

fn get(call: &ExecCall<'_>) -> ExecResult {
    let (key, default, merge, delimiter) = lookup_args(call)?;
    ok(get_with_default(
        &call.ctx.pillar,
        &key,
        default,
        merge,
        &delimiter,
    ))
}

fn raw(call: &ExecCall<'_>) -> ExecResult {
    match call.arg_str(0, "key") {
        Some(k) => ok(call
            .ctx
            .pillar
            .get(&k)
            .cloned()
            .unwrap_or_else(|| Value::Object(Map::new()))),
        None => ok((*call.ctx.pillar).clone()),
    }
}

fn keys(call: &ExecCall<'_>) -> ExecResult {
    let key = required_str(call, 0, "key")?;
    let delimiter = call
        .kwargs
        .get("delimiter")
        .and_then(Value::as_str)
        .unwrap_or(":");
    match traverse(&call.ctx.pillar, &key, delimiter) {
        Some(Value::Object(m)) => ok(Value::Array(m.keys().cloned().map(Value::String).collect())),
        Some(_) => Err(halite_api::ExecError::Failed(format!(
            "Pillar value in {key} is not a dict"
        ))),
        None => Err(halite_api::ExecError::Failed(format!(
            "Pillar key not found: {key}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{ctx_with, FakeRunner, TempDir};
    use serde_json::json;

    #[test]
    fn traverse_lists_by_index_and_key() {
        let v = json!({"a": [{"x": 1}, {"y": 2}], "b": [5, 6]});
        assert_eq!(traverse(&v, "a:y", ":"), Some(&json!(2)));
        assert_eq!(traverse(&v, "b:1", ":"), Some(&json!(6)));
        assert_eq!(traverse(&v, "b:9", ":"), None);
    }

    #[test]
    fn get_default_and_merge() {
        let d = TempDir::new("pillar");
        let ctx = ctx_with(FakeRunner::new(), &d.0);
        let call = |args: Vec<Value>, kw: Value| {
            ctx.call("pillar.get", args, kw.as_object().unwrap().clone())
                .unwrap()
                .ret
        };
        assert_eq!(call(vec![json!("app:owner")], json!({})), json!("alice"));
        assert_eq!(call(vec![json!("app:nope")], json!({})), json!(""));
        assert_eq!(call(vec![json!("app:nope"), json!(7)], json!({})), json!(7));
        assert_eq!(
            call(
                vec![json!("app")],
                json!({"default": {"owner": "x", "extra": 1}, "merge": true})
            ),
            json!({"owner": "alice", "extra": 1, "ports": [80, 443]})
        );
        assert_eq!(
            call(
                vec![json!("app:ports"), json!([22, 80])],
                json!({"merge": true})
            ),
            json!([22, 80, 443])
        );
        assert_eq!(
            call(vec![json!("app.owner")], json!({"delimiter": "."})),
            json!("alice")
        );
        let item = ctx
            .call("pillar.item", vec![json!("motd"), json!("zz")], Map::new())
            .unwrap()
            .ret;
        assert_eq!(item, json!({"motd": "hello", "zz": ""}));
        assert_eq!(
            ctx.call("pillar.raw", vec![json!("motd")], Map::new())
                .unwrap()
                .ret,
            json!("hello")
        );
    }
}
