//! Command-line arguments of `salt-call FUN ARG...` → positional args and kwargs,
//! following Salt's `salt.utils.args.parse_input` / `yamlify_arg` and the
//! string re-check in `salt.minion.load_args_and_kwargs`.

use halite_api::{Map, Value};

/// Parsed call arguments.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallArguments {
    pub args: Vec<Value>,
    pub kwargs: Map,
}

/// Split `key=value` like Salt's `KWARG_REGEX` (`^([^\d\W][\w.-]*)=(?!=)(.*)$`).
pub fn parse_kwarg(s: &str) -> Option<(&str, &str)> {
    let (name, value) = s.split_once('=')?;
    let mut chars = name.chars();
    let first = chars.next()?;
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let first_ok = word(first) && !first.is_numeric();
    let rest_ok = chars.all(|c| word(c) || c == '.' || c == '-');
    if !first_ok || !rest_ok {
        return None;
    }
    if value.starts_with('=') {
        return None;
    }
    // `.` does not match a newline and `$` may sit before one final newline.
    let value = match value.find('\n') {
        None => value,
        Some(i) if i == value.len() - 1 => &value[..i],
        Some(_) => return None,
    };
    Some((name, value))
}

/// Salt's `yamlify_arg`: load a CLI string as YAML when that is what the user meant.
pub fn yamlify(arg: &str) -> Value {
    let original = || Value::String(arg.to_string());
    let stripped = arg.trim();
    if matches!(stripped, "" | "---" | "...") {
        return original();
    }
    if arg.contains('_') && stripped.chars().all(|c| c.is_ascii_digit() || c == '_') {
        return original();
    }
    if arg.contains(['\t', '\r', '\n']) {
        return original();
    }
    if arg == "None" {
        return Value::Null;
    }
    let Ok(parsed) = halite_render::yaml::load(arg) else {
        return original();
    };
    if arg.contains('#') {
        return match parsed {
            Value::String(_) | Value::Null => original(),
            other => other,
        };
    }
    match parsed {
        Value::Object(_) if !arg.starts_with('{') => original(),
        Value::Array(_) if !arg.starts_with('[') => original(),
        Value::String(ref s) if s.is_empty() && (arg == "|" || arg == "!") => original(),
        Value::Null if stripped.starts_with('#') || arg == "!" => original(),
        other => other,
    }
}

/// Salt's `is_jid` on the decimal text of an int (20 digits, optional `_suffix`).
fn looks_like_jid(text: &str) -> bool {
    let len = text.chars().count();
    if len != 20 && (len <= 21 || text.chars().nth(20) != Some('_')) {
        return false;
    }
    text.get(..20)
        .is_some_and(|head| head.parse::<u128>().is_ok())
}

/// `parse_input` + `condition_input` + the string re-check of
/// `load_args_and_kwargs`. Names in `no_parse` keep their raw string value.
pub fn parse_input(raw: &[String], no_parse: &[String]) -> CallArguments {
    let mut out = CallArguments::default();
    for arg in raw {
        match parse_kwarg(arg) {
            Some((name, value)) => {
                let v = if no_parse.iter().any(|n| n == name) {
                    Value::String(value.into())
                } else {
                    yamlify(value)
                };
                out.kwargs.insert(name.to_string(), v);
            }
            None => out.args.push(condition(yamlify(arg))),
        }
    }
    let mut args = Vec::new();
    for arg in std::mem::take(&mut out.args) {
        // load_args_and_kwargs re-parses string args that now look like key=value.
        match arg.as_str().and_then(parse_kwarg) {
            Some((name, value)) => {
                out.kwargs.insert(name.to_string(), yamlify(value));
            }
            None => args.push(arg),
        }
    }
    out.args = args;
    out
}

fn condition(v: Value) -> Value {
    match &v {
        Value::Number(n) if n.is_i64() || n.is_u64() => {
            let text = n.to_string();
            if looks_like_jid(&text) {
                Value::String(text)
            } else {
                v
            }
        }
        _ => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kwarg_regex() {
        assert_eq!(parse_kwarg("a=b"), Some(("a", "b")));
        assert_eq!(parse_kwarg("a.b-c=x=y"), Some(("a.b-c", "x=y")));
        assert_eq!(parse_kwarg("1a=b"), None);
        assert_eq!(parse_kwarg("a==b"), None);
        assert_eq!(parse_kwarg("=b"), None);
        assert_eq!(parse_kwarg("a=b\nc"), None);
        assert_eq!(parse_kwarg("a b=c"), None);
    }

    #[test]
    fn skips_that_need_no_yaml() {
        assert_eq!(yamlify(""), json!(""));
        assert_eq!(yamlify("---"), json!("---"));
        assert_eq!(yamlify("1_000"), json!("1_000"));
        assert_eq!(yamlify("a\tb"), json!("a\tb"));
        assert_eq!(yamlify("None"), Value::Null);
    }

    #[test]
    fn yaml_values() {
        assert_eq!(yamlify("True"), json!(true));
        assert_eq!(yamlify("yes"), json!(true));
        assert_eq!(yamlify("0644"), json!(644));
        assert_eq!(yamlify("1.5"), json!(1.5));
        assert_eq!(yamlify("{a: 1}"), json!({"a": 1}));
        assert_eq!(yamlify("a: 1"), json!("a: 1"));
        assert_eq!(yamlify("- x"), json!("- x"));
        assert_eq!(yamlify("[1, 2]"), json!([1, 2]));
        assert_eq!(yamlify("#"), json!("#"));
        assert_eq!(yamlify("a #b"), json!("a #b"));
        assert_eq!(yamlify("|"), json!("|"));
        assert_eq!(yamlify("!"), json!("!"));
        assert_eq!(yamlify("plain"), json!("plain"));
    }

    #[test]
    fn parse_input_splits_and_conditions() {
        let raw: Vec<String> = [
            "x",
            "test=True",
            "pillar={\"a\": {\"b\": 1}}",
            "12345678901234567890",
            "'\"k=v\"'",
            "raw=1",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let got = parse_input(&raw, &["raw".to_string()]);
        assert_eq!(
            got.args,
            vec![json!("x"), json!("12345678901234567890"), json!("\"k=v\"")]
        );
        assert_eq!(
            got.kwargs,
            json!({"test": true, "pillar": {"a": {"b": 1}}, "raw": "1"})
                .as_object()
                .unwrap()
                .clone()
        );
    }
}
