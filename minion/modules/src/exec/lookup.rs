//! Salt's `traverse_dict_and_list` and `dictupdate.update`, shared by the
//! `pillar`, `grains` and `config` modules.

use halite_api::{ExecCall, ExecError, Map, Value};

/// Salt's `traverse_dict_and_list`: dict keys, list indexes (negative ones
/// count from the end, as in Python), or the first dict in a list holding the key.
pub fn traverse<'a>(root: &'a Value, key: &str, delimiter: &str) -> Option<&'a Value> {
    let mut cur = root;
    for part in key.split(delimiter) {
        cur = match cur {
            Value::Object(m) => m.get(part)?,
            Value::Array(items) => match part.parse::<i64>() {
                Ok(i) => items.get(python_index(i, items.len())?)?,
                Err(_) => items
                    .iter()
                    .find_map(|it| it.as_object().and_then(|m| m.get(part)))?,
            },
            _ => return None,
        };
    }
    Some(cur)
}

fn python_index(i: i64, len: usize) -> Option<usize> {
    let len = i64::try_from(len).ok()?;
    let i = if i < 0 { len + i } else { i };
    usize::try_from(i).ok()
}

/// Salt's `dictupdate.update(dest, upd, merge_lists=...)`: nested dicts merge,
/// lists are replaced, or extended by the new items when `merge_lists`.
pub fn update(dest: &mut Value, upd: &Value, merge_lists: bool) {
    let (Value::Object(dest), Value::Object(upd)) = (dest, upd) else {
        return;
    };
    for (key, val) in upd {
        match (dest.get_mut(key), val) {
            (Some(slot @ Value::Object(_)), Value::Object(_)) => update(slot, val, merge_lists),
            (Some(Value::Array(have)), Value::Array(new)) if merge_lists => {
                for item in new {
                    if !have.contains(item) {
                        have.push(item.clone());
                    }
                }
            }
            _ => {
                dest.insert(key.clone(), val.clone());
            }
        }
    }
}

/// `pillar.get`'s `merge=True`: a dict default is updated with the dict found,
/// a list default extended with the new items of the list found; otherwise
/// (types differ, scalar default) `None`: Salt logs and falls back to a plain get.
pub fn merge_default(default: &Value, found: Option<&Value>, merge_lists: bool) -> Option<Value> {
    match (default, found) {
        (Value::Object(_), None) | (Value::Array(_), None) => Some(default.clone()),
        (Value::Object(_), Some(f @ Value::Object(_))) => {
            let mut merged = default.clone();
            update(&mut merged, f, merge_lists);
            Some(merged)
        }
        (Value::Array(d), Some(Value::Array(f))) => {
            let mut merged = d.clone();
            merged.extend(f.iter().filter(|x| !d.contains(x)).cloned());
            Some(Value::Array(merged))
        }
        _ => None,
    }
}

/// A string argument by position or name, else `fallback`.
pub fn str_arg(call: &ExecCall<'_>, idx: usize, key: &str, fallback: &str) -> String {
    call.arg(idx, key)
        .filter(|v| !v.is_null())
        .map(halite_api::module::value_to_arg_string)
        .unwrap_or_else(|| fallback.to_string())
}

/// Salt's `salt.utils.data.filter_by`: the first `lookup` key matching (as an
/// fnmatch pattern) any value found at `key` in `root`, else `default`'s
/// entry; `base`'s entry updated with it; then updated with `merge`.
pub fn filter_by(
    lookup: &Map,
    root: &Value,
    key: &str,
    merge: Option<&Value>,
    default: &str,
    base: Option<&str>,
) -> Result<Value, ExecError> {
    let found = traverse(root, key, ":")
        .cloned()
        .unwrap_or(Value::Array(vec![]));
    let values = match found {
        Value::Array(items) => items,
        other => vec![other],
    };
    let mut ret = values.iter().find_map(|each| {
        let each = halite_api::module::value_to_arg_string(each);
        lookup
            .iter()
            .find(|(pattern, _)| halite_target::fnmatch::fnmatch(&each, pattern))
            .map(|(_, v)| v.clone())
    });
    if ret.is_none() {
        ret = lookup.get(default).cloned();
    }
    if let Some(base_values) = base.and_then(|b| lookup.get(b)) {
        ret = Some(match ret {
            None => base_values.clone(),
            Some(r) if base_values.is_object() => {
                if !r.is_object() {
                    return Err(ExecError::Failed(
                        "filter_by default and look-up values must both be dictionaries.".into(),
                    ));
                }
                let mut merged = base_values.clone();
                update(&mut merged, &r, false);
                merged
            }
            Some(r) => r,
        });
    }
    if let Some(m) = merge.filter(|m| !m.is_null()) {
        if !m.is_object() {
            return Err(ExecError::Failed(
                "filter_by merge argument must be a dictionary.".into(),
            ));
        }
        ret = Some(match ret {
            None | Some(Value::Null) => m.clone(),
            Some(mut r) => {
                update(&mut r, m, false);
                r
            }
        });
    }
    Ok(ret.unwrap_or(Value::Null))
}

/// The `lookup_dict`, `merge`, `default` and `base` arguments of a
/// `filter_by` call, with its own name for the key argument at position 1.
pub fn filter_by_call(
    call: &ExecCall<'_>,
    root: &Value,
    key_name: &str,
    key_default: Option<&str>,
) -> Result<Value, ExecError> {
    let lookup = match call.arg(0, "lookup_dict") {
        Some(Value::Object(m)) => m.clone(),
        Some(_) => {
            return Err(ExecError::Invocation(
                "lookup_dict must be a dictionary".into(),
            ))
        }
        None => {
            return Err(ExecError::Invocation(
                "Missing required argument: 'lookup_dict'".into(),
            ))
        }
    };
    let key = match call
        .arg_str(1, key_name)
        .or(key_default.map(str::to_string))
    {
        Some(k) => k,
        None => {
            return Err(ExecError::Invocation(format!(
                "Missing required argument: '{key_name}'"
            )))
        }
    };
    let default = call
        .arg_str(3, "default")
        .unwrap_or_else(|| "default".into());
    let base = call.arg_str(4, "base");
    filter_by(
        &lookup,
        root,
        &key,
        call.arg(2, "merge"),
        &default,
        base.as_deref(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn traverse_lists_by_index_and_key() {
        let v = json!({"a": [{"x": 1}, {"y": 2}], "b": [5, 6]});
        assert_eq!(traverse(&v, "a:y", ":"), Some(&json!(2)));
        assert_eq!(traverse(&v, "b:1", ":"), Some(&json!(6)));
        assert_eq!(traverse(&v, "b:-1", ":"), Some(&json!(6)));
        assert_eq!(traverse(&v, "b:9", ":"), None);
        assert_eq!(traverse(&v, "b:-3", ":"), None);
    }

    #[test]
    fn update_merges_lists_only_when_asked() {
        let mut d = json!({"a": {"l": [1, 2], "k": 1}});
        update(&mut d, &json!({"a": {"l": [2, 3]}}), true);
        assert_eq!(d, json!({"a": {"l": [1, 2, 3], "k": 1}}));
        update(&mut d, &json!({"a": {"l": [9]}}), false);
        assert_eq!(d, json!({"a": {"l": [9], "k": 1}}));
    }

    #[test]
    fn merge_default_skips_mismatched_types() {
        assert_eq!(
            merge_default(&json!({"a": 1}), Some(&json!("x")), false),
            None
        );
        assert_eq!(merge_default(&json!("d"), Some(&json!("x")), false), None);
        assert_eq!(
            merge_default(&json!([1]), Some(&json!([1, 2])), false),
            Some(json!([1, 2]))
        );
    }
}
