//! Salt data model: JSON-like values whose maps keep insertion order.
//!
//! Every crate uses `serde_json::Value` built with `preserve_order`, so a map
//! iterates in the order the SLS/YAML author wrote it, as Python dicts do.

pub use serde_json::{Map as JsonMap, Value};

/// An ordered string-keyed map.
pub type Map = JsonMap<String, Value>;

/// Salt's truthiness for a value (Python `bool(x)`).
pub fn is_truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().map(|f| f != 0.0).unwrap_or(true),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(m) => !m.is_empty(),
    }
}

/// Look up `a:b:c` style paths (Salt's `traverse_dict_and_list`), with list indexes.
pub fn traverse<'a>(root: &'a Value, path: &str, delimiter: &str) -> Option<&'a Value> {
    let mut cur = root;
    for part in path.split(delimiter) {
        cur = match cur {
            Value::Object(m) => m.get(part)?,
            Value::Array(a) => a.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// Recursively merge `overlay` into `base` (Salt's `dictupdate.update` with merge_lists=False).
pub fn merge_into(base: &mut Value, overlay: &Value) {
    match (base, overlay) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(k) {
                    Some(slot @ Value::Object(_)) if v.is_object() => merge_into(slot, v),
                    _ => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, o) => *b = o.clone(),
    }
}

/// salt-call's `is_local`: `--local`, `file_client: local` or `master_type: disable`.
pub fn is_local(opts: &Map) -> bool {
    opts.get("local").is_some_and(crate::module::value_to_bool)
        || opts.get("file_client").and_then(Value::as_str) == Some("local")
        || opts.get("master_type").and_then(Value::as_str) == Some("disable")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn traverse_handles_maps_and_lists() {
        let v = json!({"a": {"b": [10, {"c": 3}]}});
        assert_eq!(traverse(&v, "a:b:1:c", ":"), Some(&json!(3)));
        assert_eq!(traverse(&v, "a:x", ":"), None);
    }

    #[test]
    fn merge_is_recursive_for_maps_only() {
        let mut b = json!({"a": {"x": 1, "l": [1]}, "k": 1});
        merge_into(&mut b, &json!({"a": {"y": 2, "l": [2]}, "k": {"z": 1}}));
        assert_eq!(b, json!({"a": {"x": 1, "l": [2], "y": 2}, "k": {"z": 1}}));
    }
}
