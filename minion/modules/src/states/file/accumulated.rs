//! `file.accumulated`: text collected during one state run for the
//! `file.managed` template (`accumulator` in its context) or the
//! `file.blockreplace` content of the file it names. Salt keeps the data in
//! `<cachedir>/accumulator/<instance id>`, deleted when a run starts; Halite
//! keeps it in the run's `__context__` (`Ctx::context`), dropped with the run.

use halite_api::{Ctx, Map, StateCall, StateReturn, Value};

use super::error;
use crate::states::ret;

const KEY: &str = "file.accumulators";

/// Salt's `_load_accumulators`: (`accumulators`, `accumulators_deps`),
/// each keyed by file name then accumulator name.
pub fn load(ctx: &Ctx) -> (Map, Map) {
    let context = ctx.context.lock().unwrap_or_else(|e| e.into_inner());
    let part = |k: &str| {
        context
            .get(KEY)
            .and_then(|v| v.get(k))
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    (part("accumulators"), part("accumulators_deps"))
}

fn persist(ctx: &Ctx, data: Map, deps: Map) {
    let mut m = Map::new();
    m.insert("accumulators".into(), Value::Object(data));
    m.insert("accumulators_deps".into(), Value::Object(deps));
    let mut context = ctx.context.lock().unwrap_or_else(|e| e.into_inner());
    context.insert(KEY.into(), Value::Object(m));
}

/// A requisite entry as a list (`require_in: [{file: x}]` or a single one).
fn as_list(v: Option<&Value>) -> Vec<Value> {
    match v {
        Some(Value::Array(a)) => a.clone(),
        Some(Value::Null) | None => Vec::new(),
        Some(other) => vec![other.clone()],
    }
}

/// Python's `"file" in x` for a requisite entry (dict key or substring).
fn names_file(dep: &Value) -> bool {
    match dep {
        Value::Object(m) => m.contains_key("file"),
        Value::String(s) => s.contains("file"),
        Value::Array(a) => a.iter().any(|v| v.as_str() == Some("file")),
        _ => false,
    }
}

fn entry<'m>(m: &'m mut Map, key: &str) -> &'m mut Map {
    let v = m
        .entry(key.to_string())
        .or_insert_with(|| Value::Object(Map::new()));
    if !v.is_object() {
        *v = Value::Object(Map::new());
    }
    v.as_object_mut().expect("object")
}

fn list<'m>(m: &'m mut Map, key: &str) -> &'m mut Vec<Value> {
    let v = m
        .entry(key.to_string())
        .or_insert_with(|| Value::Array(Vec::new()));
    if !v.is_array() {
        *v = Value::Array(Vec::new());
    }
    v.as_array_mut().expect("array")
}

pub fn accumulated(call: &StateCall<'_>) -> StateReturn {
    let name = call.name.clone();
    if name.is_empty() {
        return error(call, "Must provide name to file.accumulated");
    }
    let mut r = ret(call, Some(true), "");
    let Some(text) = call.get("text") else {
        r.result = Some(false);
        r.comment = "No text supplied for accumulator".into();
        return r;
    };
    let low = call.args.get("__low__").and_then(Value::as_object);
    let low_get = |k: &str| low.and_then(|l| l.get(k));
    let deps: Vec<Value> = [as_list(low_get("require_in")), as_list(low_get("watch_in"))].concat();
    if !deps.iter().any(names_file) {
        r.result = Some(false);
        r.comment = format!(
            "Orphaned accumulator {name} in {}:{}",
            low_get("__sls__")
                .map(crate::exec::python_str)
                .unwrap_or_default(),
            low_get("__id__")
                .map(crate::exec::python_str)
                .unwrap_or_default()
        );
        return r;
    }
    let filename = call
        .get("filename")
        .map(crate::exec::python_str)
        .unwrap_or_default();
    let chunks = match text {
        Value::Array(a) => a.clone(),
        other => vec![other.clone()],
    };
    let (mut data, mut dep_map) = load(call.ctx);
    let file_deps = list(entry(&mut dep_map, &filename), &name);
    for dep in &deps {
        match dep {
            Value::Object(m) => file_deps.extend(m.values().cloned()),
            Value::Array(a) => file_deps.extend(a.iter().cloned()),
            Value::String(s) => file_deps.extend(s.chars().map(|c| Value::from(c.to_string()))),
            other => file_deps.push(other.clone()),
        }
    }
    let acc = list(entry(&mut data, &filename), &name);
    for chunk in chunks {
        if !acc.contains(&chunk) {
            acc.push(chunk);
            r.comment = format!("Accumulator {name} for file {filename} was charged by text");
        }
    }
    persist(call.ctx, data, dep_map);
    r
}

/// `file.managed`'s `context["accumulator"]`: the accumulators of `name`.
pub fn for_file(ctx: &Ctx, name: &str) -> Option<Value> {
    load(ctx).0.get(name).cloned()
}

/// `file.blockreplace`'s content with the accumulated lines of `name`
/// appended: only the accumulators required by the state `id` when some
/// are, else all of them.
pub fn block_content(ctx: &Ctx, name: &str, id: &str, mut content: String) -> String {
    let (data, deps) = load(ctx);
    let Some(acc) = data.get(name).and_then(Value::as_object) else {
        return content;
    };
    let file_deps = deps.get(name).and_then(Value::as_object);
    let mut filtered: Vec<&String> = file_deps
        .into_iter()
        .flatten()
        .filter(|(a, ids)| {
            ids.as_array()
                .is_some_and(|l| l.iter().any(|i| i.as_str() == Some(id)))
                && acc.contains_key(*a)
        })
        .map(|(a, _)| a)
        .collect();
    if filtered.is_empty() {
        filtered = acc.keys().collect();
    }
    for a in filtered {
        for line in acc[a].as_array().into_iter().flatten() {
            let line = crate::exec::python_str(line);
            if content.is_empty() {
                content = line;
            } else {
                content.push('\n');
                content.push_str(&line);
            }
        }
    }
    content
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{ctx_with, run_state, FakeRunner, TempDir};
    use serde_json::json;

    #[test]
    fn charges_filters_and_orphans() {
        let d = TempDir::new("accum");
        let ctx = ctx_with(FakeRunner::new(), &d.0);
        let low = |id: &str, req: serde_json::Value| json!({"__id__": id, "__sls__": "s", "require_in": req});
        let r = run_state(
            &ctx,
            "file.accumulated",
            json!({"name": "a", "filename": "/f", "text": ["x", "x", "y"], "__low__": low("a", json!([{"file": "blk"}]))}),
            false,
        );
        assert_eq!(
            (r.result, r.comment.as_str()),
            (Some(true), "Accumulator a for file /f was charged by text")
        );
        let r = run_state(
            &ctx,
            "file.accumulated",
            json!({"name": "a", "filename": "/f", "text": "x", "__low__": low("a2", json!([{"file": "blk"}]))}),
            false,
        );
        assert_eq!(r.comment, "");
        run_state(
            &ctx,
            "file.accumulated",
            json!({"name": "b", "filename": "/f", "text": "z", "__low__": low("b", json!({"file": "other"}))}),
            false,
        );
        assert_eq!(
            for_file(&ctx, "/f"),
            Some(json!({"a": ["x", "y"], "b": ["z"]}))
        );
        assert_eq!(block_content(&ctx, "/f", "blk", "c".into()), "c\nx\ny");
        assert_eq!(block_content(&ctx, "/f", "other", String::new()), "z");
        assert_eq!(block_content(&ctx, "/f", "none", String::new()), "x\ny\nz");
        assert_eq!(block_content(&ctx, "/g", "blk", "c".into()), "c");
        let r = run_state(
            &ctx,
            "file.accumulated",
            json!({"name": "o", "filename": "/f", "text": "q", "__low__": low("o", json!([{"cmd": "x"}]))}),
            false,
        );
        assert_eq!(
            (r.result, r.comment.as_str()),
            (Some(false), "Orphaned accumulator o in s:o")
        );
        let r = run_state(
            &ctx,
            "file.accumulated",
            json!({"name": "n", "filename": "/f"}),
            false,
        );
        assert_eq!(r.comment, "No text supplied for accumulator");
    }
}
