//! High data → low chunks (one per ID, state module and name; `names` expanded).

use halite_api::{Map, Value};

/// Salt's chunk tag: `state_|-id_|-name_|-fun`.
pub fn gen_tag(low: &Map) -> String {
    let f = |k: &str| low.get(k).map(crate::py::py_str).unwrap_or_default();
    format!(
        "{}_|-{}_|-{}_|-{}",
        f("state"),
        f("__id__"),
        f("name"),
        f("fun")
    )
}

/// Compile high data into low chunks in high-data order (Salt's `compile_high_data`).
/// The high data is consumed: argument values move into the chunks.
pub fn compile_high_data(high: Map) -> Vec<Map> {
    let mut chunks = Vec::with_capacity(high.len());
    for (id, body) in high {
        if id.starts_with("__") {
            continue;
        }
        let Value::Object(body) = body else { continue };
        let meta: Vec<(&str, Value)> = ["__sls__", "__env__", "__sls_included_from__"]
            .into_iter()
            .filter_map(|k| body.get(k).map(|v| (k, v.clone())))
            .collect();
        for (state, run) in body {
            if state.starts_with("__") {
                continue;
            }
            let Value::Array(run) = run else { continue };
            compile_decl(&id, &state, &meta, run, &mut chunks);
        }
    }
    chunks
}

fn compile_decl(
    id: &str,
    state: &str,
    meta: &[(&str, Value)],
    run: Vec<Value>,
    chunks: &mut Vec<Map>,
) {
    // state, name, __id__, fun and the `order` the compiler adds, the
    // metadata, then the arguments: the map is allocated once at its size.
    let args: usize = run.iter().map(|a| a.as_object().map_or(0, Map::len)).sum();
    let mut chunk = Map::with_capacity(5 + meta.len() + args);
    chunk.insert("state".into(), state.into());
    chunk.insert("name".into(), id.into());
    for (key, v) in meta {
        chunk.insert((*key).into(), v.clone());
    }
    chunk.insert("__id__".into(), id.into());
    let mut fun: Option<String> = None;
    let mut names: Vec<Value> = Vec::new();
    for arg in run {
        match arg {
            Value::String(f) if fun.is_none() => fun = Some(f),
            Value::Object(m) => {
                for (key, val) in m {
                    match key.as_str() {
                        "names" => {
                            for n in val.as_array().into_iter().flatten() {
                                if !names.contains(n) {
                                    names.push(n.clone());
                                }
                            }
                        }
                        "state" => {}
                        "name" if !val.is_string() => {
                            chunk.insert(key, id.into());
                        }
                        _ => {
                            chunk.insert(key, val);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let Some(fun) = fun else { return };
    if names.is_empty() {
        let mut live = chunk;
        live.insert("fun".into(), fun.into());
        chunks.push(live);
        return;
    }
    for (idx, entry) in names.iter().enumerate() {
        let mut live = chunk.clone();
        match entry {
            Value::Object(m) if !m.is_empty() => {
                let (low_name, args) = m.iter().next().expect("non-empty");
                live.insert("name".into(), low_name.as_str().into());
                for a in args.as_array().into_iter().flatten() {
                    if let Value::Object(am) = a {
                        for (k, v) in am {
                            live.insert(k.clone(), v.clone());
                        }
                    }
                }
            }
            other => {
                live.insert("name".into(), other.clone());
            }
        }
        live.insert("name_order".into(), Value::from(idx as i64 + 1));
        live.insert("fun".into(), fun.as_str().into());
        chunks.push(live);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_expand_with_per_name_args() {
        let high = json!({"pkgs": {"__sls__": "s", "__env__": "base",
            "cmd": ["run", {"names": ["a", {"b": [{"cwd": "/tmp"}]}, "a"]}, {"order": 10000}]}});
        let chunks = compile_high_data(high.as_object().cloned().unwrap());
        assert_eq!(chunks.len(), 2);
        assert_eq!(gen_tag(&chunks[0]), "cmd_|-pkgs_|-a_|-run");
        assert_eq!(chunks[1]["cwd"], json!("/tmp"));
        assert_eq!(chunks[1]["name_order"], json!(2));
        assert_eq!(chunks[1]["order"], json!(10000));
    }
}
