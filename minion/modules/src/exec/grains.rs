//! The `grains` execution module: items, item, get, ls, setval, setvals.

use std::path::PathBuf;

use halite_api::{ExecCall, ExecError, ExecSpec, Map, Value};

use super::lookup::{str_arg, traverse};
use super::{ok, required_str, ExecResult};
use crate::util::{atomic, yaml};

pub const SPECS: &[ExecSpec] = &[
    ExecSpec { name: "grains.items", doc: "Return all of the minion's grains", run: items },
    ExecSpec { name: "grains.item", doc: "Return one or more grains", run: item },
    ExecSpec { name: "grains.get", doc: "Attempt to retrieve the named value from grains, if the named value is not available return the passed default.", run: get },
    ExecSpec { name: "grains.ls", doc: "Return a list of all available grains", run: ls },
    ExecSpec { name: "grains.setval", doc: "Set a grains value in the grains config file", run: setval },
    ExecSpec { name: "grains.setvals", doc: "Set new grains values in the grains config file", run: setvals },
    ExecSpec { name: "grains.append", doc: "Append a value to a list in the grains config file", run: append },
    ExecSpec { name: "grains.delval", doc: "Delete a grain value from the grains config file", run: delval },
    ExecSpec { name: "grains.delkey", doc: "Remove a grain completely from the grain system", run: delkey },
    ExecSpec { name: "grains.filter_by", doc: "Return the first match in a dictionary of target patterns", run: filter_by },
];

/// `filter_by(lookup_dict, grain='os_family', merge=None, default='default', base=None)`.
fn filter_by(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["lookup_dict", "grain", "merge", "default", "base"])?;
    ok(super::lookup::filter_by_call(
        call,
        &call.ctx.grains,
        "grain",
        Some("os_family"),
    )?)
}

fn items(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["sanitize"])?;
    ok((*call.ctx.grains).clone())
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
        let v = traverse(&call.ctx.grains, &key, delimiter)
            .cloned()
            .unwrap_or_else(|| default.clone());
        ret.insert(key, v);
    }
    ok(Value::Object(ret))
}

/// `get(key, default='', delimiter=':', ordered=True)`.
fn get(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["key", "default", "delimiter", "ordered"])?;
    let key = required_str(call, 0, "key")?;
    let default = call
        .arg(1, "default")
        .cloned()
        .unwrap_or_else(|| Value::String(String::new()));
    let delimiter = str_arg(call, 2, "delimiter", ":");
    ok(traverse(&call.ctx.grains, &key, &delimiter)
        .cloned()
        .unwrap_or(default))
}

fn ls(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &[])?;
    let mut keys: Vec<String> = call
        .ctx
        .grains
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    keys.sort();
    ok(Value::Array(keys.into_iter().map(Value::String).collect()))
}

/// The `grains` file next to the minion config (`conf_file` option).
pub fn grains_file(opts: &Map) -> PathBuf {
    let conf = opts
        .get("conf_file")
        .and_then(Value::as_str)
        .unwrap_or("/etc/salt/minion");
    let p = PathBuf::from(conf);
    if p.is_dir() {
        p.join("grains")
    } else {
        p.parent()
            .map(|d| d.join("grains"))
            .unwrap_or_else(|| PathBuf::from("grains"))
    }
}

/// Merge `new` into the grains file and return `new`; `destructive` removes
/// the keys whose new value is `None` (Salt's `setvals(destructive=True)`).
fn write_grains(opts: &Map, new: &Map) -> Result<Value, ExecError> {
    write_grains_with(opts, new, false)
}

fn write_grains_with(opts: &Map, new: &Map, destructive: bool) -> Result<Value, ExecError> {
    let path = grains_file(opts);
    let mut current = match std::fs::read_to_string(&path) {
        Ok(text) => match yaml::load(&text).map_err(|e| {
            ExecError::Failed(format!(
                "Unable to read existing grains file {}: {e}",
                path.display()
            ))
        })? {
            Value::Object(m) => m,
            Value::Null => Map::new(),
            _ => {
                return Err(ExecError::Failed(format!(
                    "Grains file {} is not a mapping",
                    path.display()
                )))
            }
        },
        Err(_) => Map::new(),
    };
    for (k, v) in new {
        if destructive && v.is_null() {
            current.shift_remove(k);
        } else {
            current.insert(k.clone(), v.clone());
        }
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| ExecError::Failed(format!("Unable to create {}: {e}", dir.display())))?;
    }
    atomic::write_atomic(&path, yaml::dump(&Value::Object(current)).as_bytes(), 0o644).map_err(
        |e| {
            ExecError::Failed(format!(
                "Unable to write to grains file at {}. Exception: {e}",
                path.display()
            ))
        },
    )?;
    Ok(Value::Object(new.clone()))
}

fn setval(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["key", "val", "destructive", "refresh_pillar"])?;
    let key = required_str(call, 0, "key")?;
    let val = call
        .arg(1, "val")
        .cloned()
        .ok_or_else(|| ExecError::Invocation("Missing required argument: 'val'".into()))?;
    let mut new = Map::new();
    new.insert(key, val);
    ok(write_grains(&call.ctx.opts, &new)?)
}

/// Salt's `grains.append(key, val, convert=False)`: the grain must be a
/// list (or is made one with `convert`); a value already there is refused.
fn append(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["key", "val", "convert", "delimiter"])?;
    let key = required_str(call, 0, "key")?;
    let val = call
        .arg(1, "val")
        .cloned()
        .ok_or_else(|| ExecError::Invocation("Missing required argument: 'val'".into()))?;
    let convert = call.kwarg_bool("convert", false);
    let mut list = match call.ctx.grains.get(&key).cloned() {
        None => Vec::new(),
        Some(Value::Array(a)) => a,
        Some(Value::Null) if convert => Vec::new(),
        Some(other) if convert => vec![other],
        Some(_) => return ok(Value::String(format!("The key {key} is not a valid list"))),
    };
    if list.contains(&val) {
        return ok(Value::String(format!(
            "The val {} was already in the list {key}",
            halite_api::py::str_of(&val)
        )));
    }
    match val {
        Value::Array(more) => list.extend(more),
        one => list.push(one),
    }
    let mut new = Map::new();
    new.insert(key, Value::Array(list));
    ok(write_grains(&call.ctx.opts, &new)?)
}

/// Salt's `grains.delval(key, destructive=False)`: the grain becomes `None`,
/// or goes with `destructive`.
fn delval(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["key", "destructive"])?;
    let key = required_str(call, 0, "key")?;
    let destructive = call.kwarg_bool("destructive", false);
    let mut new = Map::new();
    new.insert(key, Value::Null);
    ok(write_grains_with(&call.ctx.opts, &new, destructive)?)
}

/// Salt's `grains.delkey(key)`: `delval(key, destructive=True)`.
fn delkey(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["key", "force"])?;
    let key = required_str(call, 0, "key")?;
    let mut new = Map::new();
    new.insert(key, Value::Null);
    ok(write_grains_with(&call.ctx.opts, &new, true)?)
}

fn setvals(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["grains", "destructive", "refresh_pillar"])?;
    match call.arg(0, "grains") {
        Some(Value::Object(m)) => ok(write_grains(&call.ctx.opts, m)?),
        _ => Err(ExecError::Invocation(
            "setvals grains must be a dictionary.".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{ctx_with, FakeRunner, TempDir};
    use serde_json::json;

    #[test]
    fn get_item_ls() {
        let d = TempDir::new("grains");
        let ctx = ctx_with(FakeRunner::new(), &d.0);
        assert_eq!(
            ctx.call("grains.get", vec![json!("roles:1")], Map::new())
                .unwrap()
                .ret,
            json!("db")
        );
        assert_eq!(
            ctx.call("grains.get", vec![json!("nope"), json!("dflt")], Map::new())
                .unwrap()
                .ret,
            json!("dflt")
        );
        assert_eq!(
            ctx.call("grains.item", vec![json!("os")], Map::new())
                .unwrap()
                .ret,
            json!({"os": "Debian"})
        );
        let ls = ctx.call("grains.ls", vec![], Map::new()).unwrap().ret;
        assert_eq!(ls[0], json!("id"));
    }

    #[test]
    fn setval_writes_grains_file_next_to_config() {
        let d = TempDir::new("grains2");
        let ctx = ctx_with(FakeRunner::new(), &d.0);
        let r = ctx
            .call(
                "grains.setval",
                vec![json!("rack"), json!("r1")],
                Map::new(),
            )
            .unwrap();
        assert_eq!(r.ret, json!({"rack": "r1"}));
        ctx.call(
            "grains.setval",
            vec![json!("roles"), json!(["a", "b"])],
            Map::new(),
        )
        .unwrap();
        let text = std::fs::read_to_string(d.path("conf/grains")).unwrap();
        assert_eq!(text, "rack: r1\nroles:\n- a\n- b\n");
    }

    #[test]
    fn append_delval_delkey_edit_the_grains_file() {
        let d = TempDir::new("grains3");
        let ctx = ctx_with(FakeRunner::new(), &d.0);
        let call = |fun: &str, args: Vec<Value>, kw: Value| {
            ctx.call(fun, args, kw.as_object().cloned().unwrap_or_default())
                .unwrap()
                .ret
        };
        // `roles` is a list grain of the test context
        let roles = ctx.grains["roles"].clone();
        let mut want = roles.as_array().cloned().unwrap();
        want.push(json!("cache"));
        assert_eq!(
            call(
                "grains.append",
                vec![json!("roles"), json!("cache")],
                json!({})
            ),
            json!({"roles": want})
        );
        let first = roles[0].as_str().unwrap().to_string();
        assert_eq!(
            call(
                "grains.append",
                vec![json!("roles"), json!(first.clone())],
                json!({})
            ),
            json!(format!("The val {first} was already in the list roles"))
        );
        call("grains.setval", vec![json!("rack"), json!("r1")], json!({}));
        assert_eq!(
            call("grains.delval", vec![json!("rack")], json!({})),
            json!({"rack": null})
        );
        let text = std::fs::read_to_string(d.path("conf/grains")).unwrap();
        assert!(text.contains("rack: null"), "{text}");
        call("grains.delkey", vec![json!("rack")], json!({}));
        let text = std::fs::read_to_string(d.path("conf/grains")).unwrap();
        assert!(!text.contains("rack"), "{text}");
    }
}
