//! High data helpers: per-file declaration handling (short forms, `mod.fun` keys,
//! `extend`, `exclude`), applying `extend` and `exclude` to the merged high data.

use halite_api::{Map, Value};

use crate::py::{fnmatch, py_str};

/// Requisite keywords (Salt's `STATE_REQUISITE_KEYWORDS`).
pub const REQUISITE_KEYWORDS: &[&str] = &[
    "onfail",
    "onfail_any",
    "onfail_all",
    "require",
    "require_any",
    "onchanges",
    "onchanges_any",
    "watch",
    "watch_any",
    "prereq",
    "prerequired",
    "listen",
    "onfail_stop",
];

/// Python truthiness.
pub fn truthy(v: &Value) -> bool {
    halite_api::value::is_truthy(v)
}

/// The first key of a one-key dict argument.
pub fn first_key(v: &Value) -> Option<&str> {
    v.as_object()
        .and_then(|m| m.keys().next())
        .map(String::as_str)
}

fn one(key: &str, v: Value) -> Value {
    let mut m = Map::new();
    m.insert(key.to_string(), v);
    Value::Object(m)
}

/// Split `mod.fun` keys into `mod: [..., fun]` (Salt's `_handle_state_decls`).
pub fn handle_state_decls(state: &mut Map, sls: &str, saltenv: &str, errors: &mut Vec<String>) {
    let names: Vec<String> = state.keys().cloned().collect();
    for name in names {
        let body = state.get_mut(&name).expect("key listed");
        if !body.is_object() {
            if name == "__extend__" || name == "__exclude__" {
                continue;
            }
            if let Value::String(s) = body {
                if let Some((m, rest)) = s.split_once('.') {
                    let fun = rest.split('.').next().unwrap_or("").to_string();
                    let mut b = Map::new();
                    b.insert("__sls__".into(), sls.into());
                    b.insert("__env__".into(), saltenv.into());
                    b.insert(m.to_string(), Value::Array(vec![Value::String(fun)]));
                    *body = Value::Object(b);
                    continue;
                }
            }
            errors.push(format!("ID {name} in SLS {sls} is not a dictionary"));
            continue;
        }
        let Value::Object(body) = body else { continue };
        split_dotted_keys(body, Some((&name, sls, errors)));
        if !body.contains_key("__sls__") {
            body.insert("__sls__".into(), sls.into());
        }
        if !body.contains_key("__env__") {
            body.insert("__env__".into(), saltenv.into());
        }
    }
}

/// `file.managed: [...]` → `file: [..., managed]` (moved to the end, as Python's pop+set).
fn split_dotted_keys(body: &mut Map, mut dup_err: Option<(&str, &str, &mut Vec<String>)>) {
    let mut seen: Vec<String> = Vec::new();
    let keys: Vec<String> = body.keys().cloned().collect();
    for key in keys {
        if key.starts_with('_') || !body.get(&key).is_some_and(Value::is_array) {
            continue;
        }
        if let Some((m, rest)) = key.split_once('.') {
            let fun = rest.split('.').next().unwrap_or("").to_string();
            if seen.iter().any(|s| s == m) {
                if let Some((id, sls, errors)) = dup_err.as_mut() {
                    errors.push(format!("ID '{id}' in SLS '{sls}' contains multiple state declarations of the same type"));
                }
                continue;
            }
            let mut args = body.shift_remove(&key).unwrap_or(Value::Array(vec![]));
            if let Value::Array(a) = &mut args {
                a.push(Value::String(fun));
            }
            body.insert(m.to_string(), args);
            seen.push(m.to_string());
        } else {
            seen.push(key);
        }
    }
}

/// Move the file's `extend:` into `__extend__` (Salt's `_handle_extend`).
pub fn handle_extend(state: &mut Map, sls: &str, saltenv: &str, errors: &mut Vec<String>) {
    let Some(ext) = state.shift_remove("extend") else {
        return;
    };
    let Value::Object(mut ext) = ext else {
        errors.push(format!(
            "Extension value in SLS '{sls}' is not a dictionary"
        ));
        return;
    };
    for (name, body) in ext.iter_mut() {
        let Value::Object(body) = body else {
            errors.push(format!(
                "Extension name '{name}' in SLS '{sls}' is not a dictionary"
            ));
            continue;
        };
        body.entry("__sls__").or_insert_with(|| sls.into());
        body.entry("__env__").or_insert_with(|| saltenv.into());
        split_dotted_keys(body, None);
    }
    push_list(state, "__extend__", vec![Value::Object(ext)]);
}

/// Move the file's `exclude:` into `__exclude__`.
pub fn handle_exclude(state: &mut Map, sls: &str, errors: &mut Vec<String>) {
    let Some(exc) = state.shift_remove("exclude") else {
        return;
    };
    match exc {
        Value::Array(a) => push_list(state, "__exclude__", a),
        _ => errors.push(format!(
            "Exclude Declaration in SLS {sls} is not formed as a list"
        )),
    }
}

fn push_list(state: &mut Map, key: &str, items: Vec<Value>) {
    if let Value::Array(a) = state.entry(key).or_insert_with(|| Value::Array(vec![])) {
        a.extend(items);
    }
}

/// IDs whose state `state` has `name` as its `name` argument, or the ID itself (Salt's `find_name`).
pub fn find_name(name: &str, state: &str, high: &Map, strict: bool) -> Vec<(String, String)> {
    let check2 = !strict || high.get(name).and_then(|b| b.get(state)).is_some();
    if high.contains_key(name) && check2 {
        return vec![(name.to_string(), state.to_string())];
    }
    let mut out = Vec::new();
    if state == "sls" {
        for (nid, item) in high {
            if item.get("__sls__").and_then(Value::as_str) == Some(name) {
                if let Some(first) = item.as_object().and_then(|m| m.keys().next()) {
                    out.push((nid.clone(), first.clone()));
                }
            }
        }
        return out;
    }
    for (nid, body) in high {
        if let Some(Value::Array(args)) = body.get(state) {
            for arg in args {
                if let Value::Object(m) = arg {
                    if m.len() == 1 && m.values().next().and_then(Value::as_str) == Some(name) {
                        out.push((nid.clone(), state.to_string()));
                    }
                }
            }
        }
    }
    out
}

/// Apply `__extend__` to the high data (Salt's `reconcile_extend`).
pub fn reconcile_extend(high: &mut Map, strict: bool) -> Vec<String> {
    let mut errors = Vec::new();
    let Some(Value::Array(ext)) = high.shift_remove("__extend__") else {
        return errors;
    };
    let sls_excludes = excluded_sls(high);
    for ext_chunk in ext {
        let Value::Object(ext_chunk) = ext_chunk else {
            continue;
        };
        for (name, body) in ext_chunk {
            let Value::Object(body) = body else { continue };
            let Some(state_type) = body.keys().find(|k| !k.starts_with("__")).cloned() else {
                continue;
            };
            let env = body
                .get("__env__")
                .map(py_str)
                .unwrap_or_else(|| "base".into());
            let sls = body
                .get("__sls__")
                .map(py_str)
                .unwrap_or_else(|| "base".into());
            let mut name = name;
            if high.get(&name).and_then(|b| b.get(&state_type)).is_none() {
                let ids = find_name(&name, &state_type, high, strict);
                if ids.len() != 1 {
                    errors.push(format!(
                        "Cannot extend ID '{name}' in '{env}:{sls}'. It is not part of the high state.\nThis is likely due to a missing include statement or an incorrectly typed ID.\nEnsure that a state with an ID of '{name}' is available\nin environment '{env}' and to SLS '{sls}'"
                    ));
                    continue;
                }
                name = ids[0].0.clone();
            }
            if sls_excludes.contains(&sls) {
                continue;
            }
            let Some(Value::Object(target)) = high.get_mut(&name) else {
                continue;
            };
            for (state, run) in body {
                if state.starts_with("__") {
                    continue;
                }
                match target.get_mut(&state) {
                    Some(Value::Array(existing)) => extend_args(existing, run),
                    _ => {
                        target.insert(state, run);
                    }
                }
            }
        }
    }
    errors
}

fn extend_args(existing: &mut Vec<Value>, run: Value) {
    let Value::Array(run) = run else { return };
    for arg in run {
        let mut update = false;
        for slot in existing.iter_mut() {
            match (&arg, &*slot) {
                (Value::String(_), Value::String(_)) => {
                    *slot = arg.clone();
                    update = true;
                }
                (Value::Object(_), Value::Object(_)) => {
                    let argfirst = first_key(&arg).unwrap_or("").to_string();
                    let cur = first_key(slot).unwrap_or("").to_string();
                    if argfirst == cur {
                        if REQUISITE_KEYWORDS.contains(&argfirst.as_str()) {
                            let add = arg
                                .get(&argfirst)
                                .and_then(Value::as_array)
                                .cloned()
                                .unwrap_or_default();
                            if let Some(Value::Array(l)) = slot.get_mut(&argfirst) {
                                l.extend(add);
                            }
                        } else {
                            *slot = arg.clone();
                        }
                        update = true;
                    }
                    if argfirst == "name" && cur == "names" {
                        *slot = arg.clone();
                    }
                }
                _ => {}
            }
        }
        if !update {
            existing.push(arg);
        }
    }
}

fn excluded_sls(high: &Map) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(Value::Array(exc)) = high.get("__exclude__") {
        for e in exc {
            match e {
                Value::String(s) => out.push(s.clone()),
                Value::Object(m) => {
                    if let Some(s) = m.get("sls").filter(|v| truthy(v)) {
                        out.push(py_str(s));
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// Remove excluded IDs / SLS from the high data (Salt's `_apply_exclude`).
pub fn apply_exclude(high: &mut Map) {
    let Some(Value::Array(exclude)) = high.shift_remove("__exclude__") else {
        return;
    };
    let mut ex_sls = Vec::new();
    let mut ex_id = Vec::new();
    for exc in exclude {
        match exc {
            Value::String(s) => ex_sls.push(s),
            Value::Object(m) if m.len() == 1 => {
                let (k, v) = m.into_iter().next().expect("one key");
                match k.as_str() {
                    "sls" => ex_sls.push(py_str(&v)),
                    "id" => ex_id.push(py_str(&v)),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    for (name, body) in high.iter() {
        if name.starts_with("__") {
            continue;
        }
        let sls = body.get("__sls__").and_then(Value::as_str).unwrap_or("");
        if !sls.is_empty() && ex_sls.iter().any(|p| fnmatch(sls, p)) {
            ex_id.push(name.clone());
        }
    }
    for id in ex_id {
        high.shift_remove(&id);
    }
}

/// Wrap a value as a one-key dict (`{key: v}`).
pub fn one_key(key: &str, v: Value) -> Value {
    one(key, v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn short_forms_are_padded() {
        let mut st = map(json!({"a": "cmd.run", "b": {"file.managed": [{"x": 1}]}, "c": 3}));
        let mut errs = vec![];
        handle_state_decls(&mut st, "s", "base", &mut errs);
        assert_eq!(
            st["a"],
            json!({"__sls__": "s", "__env__": "base", "cmd": ["run"]})
        );
        assert_eq!(
            st["b"],
            json!({"file": [{"x": 1}, "managed"], "__sls__": "s", "__env__": "base"})
        );
        assert_eq!(errs, vec!["ID c in SLS s is not a dictionary"]);
    }

    #[test]
    fn extend_replaces_and_appends_requisites() {
        let mut high = map(json!({
            "a": {"cmd": ["run", {"cwd": "/"}, {"require": [{"cmd": "x"}]}], "__sls__": "s", "__env__": "base"},
            "__extend__": [{"a": {"cmd": [{"cwd": "/tmp"}, {"require": [{"cmd": "y"}]}, {"env": 1}], "__sls__": "t", "__env__": "base"}}]
        }));
        assert!(reconcile_extend(&mut high, false).is_empty());
        assert_eq!(
            high["a"]["cmd"],
            json!(["run", {"cwd": "/tmp"}, {"require": [{"cmd": "x"}, {"cmd": "y"}]}, {"env": 1}])
        );
    }

    #[test]
    fn extend_missing_target_errors() {
        let mut high = map(
            json!({"__extend__": [{"nope": {"cmd": [{"cwd": "/"}], "__sls__": "t", "__env__": "base"}}]}),
        );
        let errs = reconcile_extend(&mut high, false);
        assert!(errs[0].starts_with("Cannot extend ID 'nope' in 'base:t'."));
    }

    #[test]
    fn exclude_by_id_and_sls_glob() {
        let mut high = map(json!({
            "a": {"__sls__": "web.x"}, "b": {"__sls__": "db"}, "c": {"__sls__": "db"},
            "__exclude__": ["web.*", {"id": "b"}]
        }));
        apply_exclude(&mut high);
        assert_eq!(high.keys().collect::<Vec<_>>(), vec!["c"]);
    }
}
