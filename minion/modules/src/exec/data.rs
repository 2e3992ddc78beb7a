//! The `data` execution module: the minion datastore, one msgpack map in
//! `<cachedir>/datastore` (the file Salt's `data` module reads and writes,
//! so a node switched from the Python minion keeps its data). The masterless
//! mine keeps its cache here under `mine_cache`.

use std::path::PathBuf;

use halite_api::{Ctx, ExecCall, ExecError, ExecSpec, Map, Value};
use halite_proto::wire;

use super::{ok, reject_unknown_kwargs, required_str, ExecResult};

pub const SPECS: &[ExecSpec] = &[
    ExecSpec {
        name: "data.clear",
        doc: "Clear out all of the data in the minion datastore, this function is destructive!",
        run: clear,
    },
    ExecSpec {
        name: "data.load",
        doc: "Return all of the data in the minion datastore",
        run: load_fn,
    },
    ExecSpec {
        name: "data.dump",
        doc: "Replace the entire datastore with a passed data structure",
        run: dump_fn,
    },
    ExecSpec {
        name: "data.update",
        doc: "Update a key with a value in the minion datastore",
        run: update,
    },
    ExecSpec {
        name: "data.cas",
        doc: "Check and set a value in the minion datastore",
        run: cas,
    },
    ExecSpec {
        name: "data.pop",
        doc: "Pop (return & delete) a value from the minion datastore",
        run: pop,
    },
    ExecSpec {
        name: "data.get",
        doc: "Get a (list of) value(s) from the minion datastore",
        run: get,
    },
    ExecSpec {
        name: "data.keys",
        doc: "Get all keys from the minion datastore",
        run: keys,
    },
    ExecSpec {
        name: "data.values",
        doc: "Get values from the minion datastore",
        run: values,
    },
    ExecSpec {
        name: "data.items",
        doc: "Get items from the minion datastore",
        run: items,
    },
    ExecSpec {
        name: "data.has_key",
        doc: "Check if key is in the minion datastore",
        run: has_key,
    },
];

fn path(ctx: &Ctx) -> PathBuf {
    ctx.cachedir().join("datastore")
}

/// The whole datastore; a missing or unreadable file is an empty store, as
/// Salt's `data.load`.
pub fn load(ctx: &Ctx) -> Map {
    let Ok(bytes) = std::fs::read(path(ctx)) else {
        return Map::new();
    };
    match wire::decode(&bytes, "datastore").map(|mp| wire::to_value(&mp)) {
        Ok(Value::Object(map)) => map,
        Ok(_) | Err(_) => {
            tracing::warn!("{} does not hold a map; read as empty", path(ctx).display());
            Map::new()
        }
    }
}

/// Replace the datastore (atomically: temp file in the cache dir, rename).
pub fn dump(ctx: &Ctx, store: &Map) -> Result<(), ExecError> {
    let bytes = wire::encode(&wire::from_value(&Value::Object(store.clone())));
    let target = path(ctx);
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| ExecError::Failed(format!("{}: {e}", dir.display())))?;
    }
    halite_api::atomic::write_atomic(&target, &bytes, 0o644)
        .map_err(|e| ExecError::Failed(format!("{}: {e}", target.display())))
}

fn clear(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &[])?;
    let _ = std::fs::remove_file(path(call.ctx));
    ok(true)
}

fn load_fn(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &[])?;
    ok(Value::Object(load(call.ctx)))
}

fn dump_fn(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["new_data"])?;
    let data = match call.arg(0, "new_data") {
        Some(Value::Object(m)) => m.clone(),
        Some(Value::String(s)) => match serde_json::from_str(&s.replace('\'', "\"")) {
            Ok(Value::Object(m)) => m,
            _ => return ok(false),
        },
        Some(_) => return ok(false),
        None => return Err(missing("new_data")),
    };
    ok(dump(call.ctx, &data).is_ok())
}

fn update(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["key", "value"])?;
    let key = required_str(call, 0, "key")?;
    let value = call
        .arg(1, "value")
        .cloned()
        .ok_or_else(|| missing("value"))?;
    let mut store = load(call.ctx);
    store.insert(key, value);
    dump(call.ctx, &store)?;
    ok(true)
}

fn cas(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["key", "value", "old_value"])?;
    let key = required_str(call, 0, "key")?;
    let value = call
        .arg(1, "value")
        .cloned()
        .ok_or_else(|| missing("value"))?;
    let old = call
        .arg(2, "old_value")
        .cloned()
        .ok_or_else(|| missing("old_value"))?;
    let mut store = load(call.ctx);
    if store.get(&key) != Some(&old) {
        return ok(false);
    }
    store.insert(key, value);
    dump(call.ctx, &store)?;
    ok(true)
}

fn pop(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["key", "default"])?;
    let key = required_str(call, 0, "key")?;
    let mut store = load(call.ctx);
    let value = store.remove(&key);
    dump(call.ctx, &store)?;
    ok(value
        .or_else(|| call.arg(1, "default").cloned())
        .unwrap_or(Value::Null))
}

fn get(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["key", "default"])?;
    let store = load(call.ctx);
    let default = call.arg(1, "default").cloned().unwrap_or(Value::Null);
    match call.arg(0, "key") {
        Some(Value::Array(keys)) => {
            let names = keys.iter().map(halite_api::module::value_to_arg_string);
            let found: Vec<Value> = if default.is_null() {
                names.filter_map(|k| store.get(&k).cloned()).collect()
            } else {
                names
                    .map(|k| store.get(&k).cloned().unwrap_or_else(|| default.clone()))
                    .collect()
            };
            ok(Value::Array(found))
        }
        Some(key) => {
            let key = halite_api::module::value_to_arg_string(key);
            ok(store.get(&key).cloned().unwrap_or(default))
        }
        None => Err(missing("key")),
    }
}

fn keys(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &[])?;
    ok(Value::Array(
        load(call.ctx).keys().cloned().map(Value::String).collect(),
    ))
}

fn values(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &[])?;
    ok(Value::Array(load(call.ctx).values().cloned().collect()))
}

fn items(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &[])?;
    ok(Value::Object(load(call.ctx)))
}

fn has_key(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["key"])?;
    let key = required_str(call, 0, "key")?;
    ok(load(call.ctx).contains_key(&key))
}

fn missing(arg: &str) -> ExecError {
    ExecError::Invocation(format!("Missing required argument: '{arg}'"))
}
