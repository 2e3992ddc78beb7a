//! Publication arguments → positional args and kwargs, as Salt's
//! `load_args_and_kwargs` does it.
//!
//! * A map with `"__kwarg__": true` contributes its other keys as kwargs.
//! * A string `key=value` (key a Python identifier, optionally with `.`/`-`)
//!   is a kwarg whose value is read like Salt's `yamlify_arg` reads scalars.
//! * Anything else is positional.
//! * Functions known to accept `**kwargs` and show them (`test.arg` ...) also get
//!   the publication fields as `__pub_<field>`.

use halite_api::module::PUB_KWARG_FUNCTIONS;
use halite_api::{Map, Value};

/// A function call's arguments.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallArgs {
    pub args: Vec<Value>,
    pub kwargs: Map,
}

/// Split one function's `arg` list. `publication` is the job load (for `__pub_*`).
pub fn parse_call_args(fun: &str, arg: &Value, publication: &Map) -> CallArgs {
    let mut out = CallArgs::default();
    let items: Vec<Value> = match arg {
        Value::Array(items) => items.clone(),
        Value::Null => Vec::new(),
        other => vec![other.clone()],
    };
    for item in items {
        match item {
            Value::Object(map) if map.get("__kwarg__") == Some(&Value::Bool(true)) => {
                out.kwargs
                    .extend(map.into_iter().filter(|(k, _)| k != "__kwarg__"));
            }
            Value::String(s) => match split_string_kwarg(&s) {
                Some((key, value)) => {
                    out.kwargs.insert(key, value);
                }
                None => out.args.push(Value::String(s)),
            },
            other => out.args.push(other),
        }
    }
    if PUB_KWARG_FUNCTIONS.contains(&fun) {
        for (key, value) in publication {
            out.kwargs.insert(format!("__pub_{key}"), value.clone());
        }
    }
    out
}

/// `key=value` with Salt's kwarg regex `^([^\d\W][\w.-]*)=(?!=)(.*)$`.
fn split_string_kwarg(s: &str) -> Option<(String, Value)> {
    let (key, value) = s.split_once('=')?;
    let mut chars = key.chars();
    let first = chars.next()?;
    let first_ok = first.is_alphabetic() || first == '_';
    let rest_ok = chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if !first_ok || !rest_ok || value.starts_with('=') {
        return None;
    }
    Some((key.to_string(), yamlify_scalar(value)))
}

/// The scalar subset of `yamlify_arg`: ints, floats, booleans and null;
/// anything else stays the original string.
pub fn yamlify_scalar(text: &str) -> Value {
    let t = text.trim();
    match t {
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        "null" | "Null" | "NULL" | "~" | "None" => return Value::Null,
        _ => {}
    }
    if let Ok(i) = t.parse::<i64>() {
        return Value::from(i);
    }
    let looks_float = t.contains('.')
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'));
    if let (true, Ok(f)) = (looks_float, t.parse::<f64>()) {
        return Value::from(f);
    }
    Value::String(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn publication() -> Map {
        json!({"fun": "test.arg", "jid": "1", "tgt": "*"})
            .as_object()
            .unwrap()
            .clone()
    }

    #[test]
    fn kwarg_maps_become_kwargs_and_other_maps_stay_positional() {
        let arg = json!([1, "two", {"x": 1}, {"__kwarg__": true, "foo": "bar", "n": {"a": [1]}}]);
        let got = parse_call_args("cmd.run", &arg, &publication());
        assert_eq!(got.args, vec![json!(1), json!("two"), json!({"x": 1})]);
        assert_eq!(
            Value::Object(got.kwargs),
            json!({"foo": "bar", "n": {"a": [1]}})
        );
    }

    #[test]
    fn a_map_whose_kwarg_marker_is_not_true_is_positional() {
        let got = parse_call_args(
            "x.y",
            &json!([{"__kwarg__": "yes", "a": 1}]),
            &publication(),
        );
        assert_eq!(got.args.len(), 1);
        assert!(got.kwargs.is_empty());
    }

    #[test]
    fn key_value_strings_are_kwargs_with_scalar_values() {
        let arg = json!([
            "echo a=b",
            "shell=/bin/sh",
            "timeout=5",
            "flag=True",
            "x==y",
            "1a=2"
        ]);
        let got = parse_call_args("cmd.run", &arg, &publication());
        assert_eq!(
            got.args,
            vec![json!("echo a=b"), json!("x==y"), json!("1a=2")]
        );
        assert_eq!(
            Value::Object(got.kwargs),
            json!({"shell": "/bin/sh", "timeout": 5, "flag": true})
        );
    }

    #[test]
    fn pub_keys_only_for_functions_that_show_them() {
        let with = parse_call_args("test.arg", &json!([]), &publication());
        assert_eq!(with.kwargs.get("__pub_jid"), Some(&json!("1")));
        let without = parse_call_args("test.ping", &json!([]), &publication());
        assert!(without.kwargs.is_empty());
    }

    #[test]
    fn scalars_read_like_yaml() {
        assert_eq!(yamlify_scalar("1.5"), json!(1.5));
        assert_eq!(yamlify_scalar("-3"), json!(-3));
        assert_eq!(yamlify_scalar("None"), Value::Null);
        assert_eq!(yamlify_scalar("1.2.3"), json!("1.2.3"));
        assert_eq!(yamlify_scalar("hello"), json!("hello"));
    }
}
