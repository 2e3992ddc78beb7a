//! Type validation of known options, following Salt's `_validate_opts`.
//!
//! A value passes when it has one of the option's types, or when Python's
//! constructor of an allowed type accepts it without changing its meaning
//! (e.g. `"30"` for an `int`, `5` for a `str`; but not a list for a `str`, or a
//! string for a `list`). `sdb://` strings always pass. Halite is stricter than
//! Salt for network ports: `*_port` options must be integers (or integer strings).

use halite_api::Value;

use crate::defaults::valid_types;

/// Why `value` is not acceptable for `key`, or None when it is (or `key` is unknown).
pub fn check(key: &str, value: &Value) -> Option<String> {
    let types = valid_types(key)?;
    if types.is_empty() {
        return None;
    }
    if let Value::String(s) = value {
        if s.starts_with("sdb://") {
            return None;
        }
    }
    let ok = if types.len() == 1 {
        single_type_ok(types[0], value)
    } else {
        multi_type_ok(&types, value)
    };
    let port_ok = !key.ends_with("_port") || port_value_ok(value);
    if ok && port_ok {
        return None;
    }
    Some(format!(
        "value {} has an invalid type of {}, a {} is required for this option",
        crate::pyrepr(value),
        python_type(value),
        describe(&types)
    ))
}

fn port_value_ok(value: &Value) -> bool {
    match value {
        Value::Number(n) => n.is_i64() || n.is_u64(),
        Value::String(s) => s.trim().parse::<u16>().is_ok(),
        Value::Null => true,
        _ => false,
    }
}

/// Python's `type(value).__name__` for YAML-loaded data.
pub fn python_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

fn describe(types: &[&str]) -> String {
    match types {
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} or {}", rest.join(", "), last),
        [] => String::new(),
    }
}

/// Does Python's `T(value)` succeed?
fn converts(ty: &str, value: &Value) -> bool {
    match (ty, value) {
        ("str", _) | ("bool", _) => true,
        ("int", Value::String(s)) => s.trim().parse::<i64>().is_ok(),
        ("float", Value::String(s)) => s.trim().parse::<f64>().is_ok(),
        ("int" | "float", Value::Number(_) | Value::Bool(_)) => true,
        ("list" | "tuple", Value::String(_) | Value::Array(_) | Value::Object(_)) => true,
        ("dict", Value::Object(_)) => true,
        ("dict", Value::Array(items)) => items
            .iter()
            .all(|i| matches!(i, Value::Array(p) if p.len() == 2)),
        _ => false,
    }
}

/// Salt's `nf_types`: values a constructor accepts but mangles.
fn non_failing(ty: &str) -> &'static [&'static str] {
    match ty {
        "str" => &["list", "tuple", "dict"],
        "list" | "tuple" => &["dict", "str"],
        "bool" => &["list", "tuple", "str", "int", "float", "dict", "NoneType"],
        "int" => &["bool", "float"],
        "float" => &["bool"],
        _ => &[],
    }
}

fn single_type_ok(ty: &str, value: &Value) -> bool {
    let actual = python_type(value);
    if actual == "bool" {
        if ty == "bool" {
            return true;
        }
    } else if actual == ty {
        return true;
    }
    if value.is_null() {
        return ty == "str";
    }
    converts(ty, value) && !non_failing(ty).contains(&actual)
}

fn multi_type_ok(types: &[&str], value: &Value) -> bool {
    let actual = python_type(value);
    if types.contains(&actual) {
        return true;
    }
    ["str", "list", "tuple", "bool", "int", "float"]
        .iter()
        .filter(|ty| types.contains(ty) && converts(ty, value))
        .any(|ty| {
            let mangled: Vec<&str> = non_failing(ty)
                .iter()
                .copied()
                .filter(|t| !types.contains(t))
                .collect();
            !mangled.contains(&actual)
        })
}

#[cfg(test)]
mod tests {
    use super::check;
    use serde_json::json;

    #[test]
    fn ints_accept_numbers_and_numeric_strings() {
        assert!(check("auth_tries", &json!(3)).is_none());
        assert!(check("auth_tries", &json!("3")).is_none());
        assert!(check("auth_tries", &json!("three")).is_some());
        assert!(check("auth_tries", &json!(true)).is_some());
        assert!(check("auth_tries", &json!(1.5)).is_some());
        assert!(check("auth_tries", &json!([1])).is_some());
    }

    #[test]
    fn bools_must_be_bools() {
        assert!(check("multiprocessing", &json!(false)).is_none());
        assert!(check("multiprocessing", &json!("yes")).is_some());
        assert!(check("multiprocessing", &json!(1)).is_some());
    }

    #[test]
    fn strings_lists_dicts() {
        assert!(check("log_level", &json!("debug")).is_none());
        assert!(check("log_level", &json!(5)).is_none());
        assert!(check("log_level", &json!(["debug"])).is_some());
        assert!(check("sls_list", &json!("a")).is_some());
        assert!(check("sls_list", &json!(["a"])).is_none());
        assert!(check("grains", &json!({"a": 1})).is_none());
        assert!(check("grains", &json!("a")).is_some());
    }

    #[test]
    fn floats_accept_ints() {
        assert!(check("acceptance_wait_time", &json!(10)).is_none());
        assert!(check("acceptance_wait_time", &json!(2.5)).is_none());
        assert!(check("acceptance_wait_time", &json!("soon")).is_some());
    }

    #[test]
    fn multi_types_and_none() {
        assert!(check("master", &json!("salt")).is_none());
        assert!(check("master", &json!(["a", "b"])).is_none());
        assert!(check("master", &json!({"a": 1})).is_some());
        assert!(check("ipv6", &json!(null)).is_none());
        assert!(check("ipv6", &json!(true)).is_none());
        assert!(check("ipv6", &json!("yes")).is_some());
    }

    #[test]
    fn ports_must_be_numbers() {
        assert!(check("master_port", &json!(4506)).is_none());
        assert!(check("master_port", &json!("4506")).is_none());
        let msg = check("master_port", &json!("abc")).unwrap();
        assert!(msg.contains("'abc'"), "{msg}");
        assert!(check("publish_port", &json!("x")).is_some());
    }

    #[test]
    fn sdb_and_unknown_keys_pass() {
        assert!(check("auth_tries", &json!("sdb://vault/x")).is_none());
        assert!(check("my_custom_key", &json!({"any": "thing"})).is_none());
    }
}
