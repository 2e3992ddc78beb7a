//! `slsutil.*` and `defaults.*`: the merging and (de)serialising helpers
//! formulas call from map.jinja, with Salt's `dictupdate` semantics.

use halite_api::{ExecCall, ExecError, ExecSpec, Value};

use super::lookup::{traverse, update};
use super::{ok, ExecResult};

pub const SPECS: &[ExecSpec] = &[
    ExecSpec { name: "slsutil.update", doc: "Merge ``upd`` recursively into ``dest``", run: sls_update },
    ExecSpec { name: "slsutil.merge", doc: "Merge a data structure into another by choosing a merge strategy", run: sls_merge },
    ExecSpec { name: "slsutil.merge_all", doc: "Merge a list of objects into each other in order", run: merge_all },
    ExecSpec { name: "slsutil.serialize", doc: "Serialize a Python object using one of the available serializers (json, yaml)", run: serialize },
    ExecSpec { name: "slsutil.deserialize", doc: "Deserialize a Python object using one of the available serializers (json, yaml)", run: deserialize },
    ExecSpec { name: "slsutil.boolstr", doc: "Convert a boolean value into a string", run: boolstr },
    ExecSpec { name: "defaults.merge", doc: "Allows deep merging of dicts in formulas.", run: defaults_merge },
    ExecSpec { name: "defaults.update", doc: "Allows setting defaults for group of data set e.g. group for nodes.", run: defaults_update },
    ExecSpec { name: "defaults.deepcopy", doc: "Creates a deep copy of the given object.", run: deepcopy },
    ExecSpec { name: "defaults.get", doc: "defaults.get is used much like pillar.get except that it will read a default value for a pillar from defaults.json or defaults.yaml files that are stored in the root of a salt formula.", run: defaults_get },
];

fn required<'a>(call: &'a ExecCall<'_>, idx: usize, key: &str) -> Result<&'a Value, ExecError> {
    call.arg(idx, key)
        .ok_or_else(|| ExecError::Invocation(format!("Missing required argument: '{key}'")))
}

fn flag(call: &ExecCall<'_>, idx: usize, key: &str, default: bool) -> bool {
    call.arg(idx, key)
        .map(halite_api::value::is_truthy)
        .unwrap_or(default)
}

/// `update(dest, upd, recursive_update=True, merge_lists=False)`.
fn sls_update(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["dest", "upd", "recursive_update", "merge_lists"])?;
    let mut dest = required(call, 0, "dest")?.clone();
    let upd = required(call, 1, "upd")?;
    if flag(call, 2, "recursive_update", true) {
        update(&mut dest, upd, flag(call, 3, "merge_lists", false));
    } else if let (Value::Object(d), Value::Object(u)) = (&mut dest, upd) {
        d.extend(u.clone());
    }
    ok(dest)
}

/// `dictupdate.merge` with a strategy (`smart` = `recurse` for yaml).
fn merge_with(a: &Value, b: &Value, strategy: &str, renderer: &str, merge_lists: bool) -> Value {
    let yamlex = renderer.rsplit('|').next() == Some("yamlex") || renderer.starts_with("yamlex_");
    let strategy = match strategy {
        "smart" if yamlex => "aggregate",
        "smart" => "recurse",
        s => s,
    };
    match (strategy, a, b) {
        ("list", Value::Object(ma), Value::Object(mb)) => Value::Object(
            ma.iter()
                .map(|(k, v)| match mb.get(k) {
                    Some(other) => (k.clone(), Value::Array(vec![v.clone(), other.clone()])),
                    None => (k.clone(), v.clone()),
                })
                .collect(),
        ),
        ("overwrite", Value::Object(ma), Value::Object(mb)) => {
            let mut merged = ma.clone();
            for (k, v) in mb {
                if merged.contains_key(k) {
                    merged.insert(k.clone(), v.clone());
                }
            }
            let mut merged = Value::Object(merged);
            update(&mut merged, b, merge_lists);
            merged
        }
        ("none", _, _) => {
            let mut merged = a.clone();
            update(&mut merged, b, false);
            merged
        }
        _ => {
            let mut merged = a.clone();
            update(&mut merged, b, merge_lists);
            merged
        }
    }
}

/// `merge(obj_a, obj_b, strategy='smart', renderer='yaml', merge_lists=False)`.
fn sls_merge(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(
        call,
        &["obj_a", "obj_b", "strategy", "renderer", "merge_lists"],
    )?;
    let a = required(call, 0, "obj_a")?;
    let b = required(call, 1, "obj_b")?;
    let strategy = call
        .arg_str(2, "strategy")
        .unwrap_or_else(|| "smart".into());
    let renderer = call.arg_str(3, "renderer").unwrap_or_else(|| "yaml".into());
    ok(merge_with(
        a,
        b,
        &strategy,
        &renderer,
        flag(call, 4, "merge_lists", false),
    ))
}

/// `merge_all(lst, strategy='smart', renderer='yaml', merge_lists=False)`.
fn merge_all(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["lst", "strategy", "renderer", "merge_lists"])?;
    let Value::Array(items) = required(call, 0, "lst")? else {
        return Err(ExecError::Invocation("lst must be a list".into()));
    };
    let strategy = call
        .arg_str(1, "strategy")
        .unwrap_or_else(|| "smart".into());
    let renderer = call.arg_str(2, "renderer").unwrap_or_else(|| "yaml".into());
    let merge_lists = flag(call, 3, "merge_lists", false);
    let mut ret = Value::Object(Default::default());
    for obj in items {
        ret = merge_with(&ret, obj, &strategy, &renderer, merge_lists);
    }
    ok(ret)
}

/// `serialize(serializer, obj)`: json as Python's `json.dumps`, yaml as
/// `yaml.safe_dump` (block style).
fn serialize(call: &ExecCall<'_>) -> ExecResult {
    let serializer = call.arg_str(0, "serializer").unwrap_or_default();
    let obj = required(call, 1, "obj")?;
    match serializer.as_str() {
        "json" => ok(halite_render::jinja::python_json(obj, None, 0)),
        "yaml" => ok(halite_render::yaml::dump(obj)),
        other => Err(ExecError::Failed(format!(
            "Unknown serializer '{other}' (halite has json and yaml)"
        ))),
    }
}

/// `deserialize(serializer, stream_or_string)`.
fn deserialize(call: &ExecCall<'_>) -> ExecResult {
    let serializer = call.arg_str(0, "serializer").unwrap_or_default();
    let text = call.arg_str(1, "stream_or_string").unwrap_or_default();
    match serializer.as_str() {
        "json" => serde_json::from_str::<Value>(&text)
            .map(Into::into)
            .map_err(|e| ExecError::Failed(e.to_string())),
        "yaml" => halite_render::yaml::load(&text)
            .map(Into::into)
            .map_err(|e| ExecError::Failed(e.to_string())),
        other => Err(ExecError::Failed(format!(
            "Unknown serializer '{other}' (halite has json and yaml)"
        ))),
    }
}

/// `boolstr(value, true='true', false='false')`.
fn boolstr(call: &ExecCall<'_>) -> ExecResult {
    let v = flag(call, 0, "value", false);
    let t = call.arg_str(1, "true").unwrap_or_else(|| "true".into());
    let f = call.arg_str(2, "false").unwrap_or_else(|| "false".into());
    ok(if v { t } else { f })
}

/// `merge(dest, src, merge_lists=False, in_place=True, convert_none=True)`.
fn defaults_merge(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(
        call,
        &["dest", "src", "merge_lists", "in_place", "convert_none"],
    )?;
    let mut dest = required(call, 0, "dest")?.clone();
    if dest.is_null() {
        if !flag(call, 4, "convert_none", true) {
            return Err(ExecError::Failed(
                "Can't perform in-place merge into NoneType".into(),
            ));
        }
        dest = Value::Object(Default::default());
    }
    update(
        &mut dest,
        required(call, 1, "src")?,
        flag(call, 2, "merge_lists", false),
    );
    ok(dest)
}

/// `update(dest, defaults, merge_lists=True, in_place=True, convert_none=True)`:
/// every item of the `dest` dict gets the defaults under what it sets.
fn defaults_update(call: &ExecCall<'_>) -> ExecResult {
    let Value::Object(dest) = required(call, 0, "dest")? else {
        return Err(ExecError::Invocation("dest must be a dictionary".into()));
    };
    let defaults = required(call, 1, "defaults")?;
    let merge_lists = flag(call, 2, "merge_lists", true);
    let mut out = dest.clone();
    for v in out.values_mut() {
        let mut merged = defaults.clone();
        update(&mut merged, v, merge_lists);
        *v = merged;
    }
    ok(Value::Object(out))
}

fn deepcopy(call: &ExecCall<'_>) -> ExecResult {
    ok(required(call, 0, "source")?.clone())
}

/// `get(key, default='')`: `salt://<formula>/defaults.yaml` (or `.json`)
/// of the key's first segment, then the rest of the key in it.
fn defaults_get(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["key", "default"])?;
    let key = call.arg_str(0, "key").unwrap_or_default();
    let default = call
        .arg(1, "default")
        .cloned()
        .unwrap_or_else(|| Value::String(String::new()));
    let (formula, rest) = match key.split_once(':') {
        Some((f, r)) => (f.to_string(), Some(r.to_string())),
        None => (key.clone(), None),
    };
    let mut data = Value::Object(Default::default());
    for ext in ["yaml", "json"] {
        let path = format!("{formula}/defaults.{ext}");
        let Ok(Some(bytes)) = call.ctx.files.read(&path, &call.ctx.saltenv) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        let parsed = if ext == "yaml" {
            halite_render::yaml::load(&text)
                .map_err(|e| ExecError::Failed(format!("salt://{path}: {e}")))?
        } else {
            serde_json::from_str(&text)
                .map_err(|e| ExecError::Failed(format!("salt://{path}: {e}")))?
        };
        data = if parsed.is_null() {
            Value::Object(Default::default())
        } else {
            parsed
        };
        break;
    }
    match rest {
        Some(r) => ok(traverse(&data, &r, ":").cloned().unwrap_or(default)),
        None => ok(data),
    }
}
