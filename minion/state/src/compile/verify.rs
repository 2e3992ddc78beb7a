//! Structural validation of high data with Salt's exact messages (`_verify_high`).

use halite_api::{Map, Value};

use crate::high::REQUISITE_KEYWORDS;
use crate::py::{py_repr, py_str};

/// Validate the merged high data; returns every error found.
pub fn verify_high(high: &Map) -> Vec<String> {
    let mut errors = Vec::new();
    for (id, body) in high {
        if id.starts_with("__") {
            continue;
        }
        let Value::Object(body) = body else {
            errors.push(format!(
                "The type {id} in {} is not formatted as a dictionary",
                py_repr(body)
            ));
            continue;
        };
        let sls = body.get("__sls__").map(py_str).unwrap_or_default();
        for (state, decl) in body {
            if state.starts_with("__") {
                continue;
            }
            verify_decl(id, &sls, state, decl, &mut errors);
        }
    }
    errors
}

fn verify_decl(id: &str, sls: &str, state: &str, decl: &Value, errors: &mut Vec<String>) {
    let args = match decl {
        Value::Null => {
            errors.push(format!(
                "ID '{id}' in SLS '{sls}' contains a short declaration ({state}) with a trailing colon. When not passing any arguments to a state, the colon must be omitted."
            ));
            return;
        }
        Value::Array(a) => a,
        _ => {
            errors.push(format!(
                "State '{id}' in SLS '{sls}' is not formed as a list"
            ));
            return;
        }
    };
    let mut funs: Vec<String> = Vec::new();
    if let Some((_, f)) = state.split_once('.') {
        funs.push(f.to_string());
    }
    for arg in args {
        match arg {
            Value::String(f) => {
                funs.push(f.clone());
                if f.trim().contains(' ') {
                    errors.push(format!(
                        "The function \"{f}\" in state \"{id}\" in SLS \"{sls}\" has whitespace, a function with whitespace is not supported, perhaps this is an argument that is missing a \":\""
                    ));
                }
            }
            Value::Object(m) => verify_arg(id, sls, m, errors),
            _ => {}
        }
    }
    if funs.is_empty() {
        errors.push(format!(
            "No function declared in state '{id}' in SLS '{sls}'"
        ));
    } else if funs.len() > 1 {
        errors.push(format!(
            "Too many functions declared in state '{id}' in SLS '{sls}'. Please choose one of the following: {}",
            funs.join(", ")
        ));
    }
}

fn verify_arg(id: &str, sls: &str, m: &Map, errors: &mut Vec<String>) {
    let Some((first, val)) = m.iter().next() else {
        return;
    };
    if first == "names" && !val.is_array() {
        errors.push(format!(
            "The 'names' argument in state '{id}' in SLS '{sls}' needs to be formed as a list"
        ));
    }
    if !REQUISITE_KEYWORDS.contains(&first.as_str()) {
        return;
    }
    match val {
        Value::Array(reqs) => {
            for req in reqs {
                verify_req(id, sls, req, errors);
            }
        }
        _ => errors.push(format!(
            "The {first} statement in state '{id}' in SLS '{sls}' needs to be formed as a list"
        )),
    }
    if m.len() != 1 {
        errors.push(format!(
            "Multiple dictionaries defined in argument of state '{id}' in SLS '{sls}'"
        ));
    }
}

fn verify_req(id: &str, sls: &str, req: &Value, errors: &mut Vec<String>) {
    let (key, val) = match req {
        Value::String(s) => ("id".to_string(), Value::String(s.clone())),
        Value::Object(r) if r.len() == 1 => {
            let (k, v) = r.iter().next().expect("one key");
            (k.clone(), v.clone())
        }
        other => {
            errors.push(format!(
                "Requisite declaration {} in state {id} in SLS {sls} is not formed as a single key dictionary",
                py_repr(other)
            ));
            return;
        }
    };
    if let Some(pos) = key.find('.') {
        errors.push(format!(
            "Invalid requisite type '{key}' in state '{id}', in SLS '{sls}'. Requisite types must not contain dots, did you mean '{}'?",
            &key[..pos]
        ));
    }
    if val.is_array() || val.is_object() {
        errors.push(format!(
            "Illegal requisite \"{}\" in SLS \"{sls}\", please check your syntax.\n",
            py_repr(&val)
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn errs(v: Value) -> Vec<String> {
        verify_high(v.as_object().unwrap())
    }

    #[test]
    fn function_count_and_shapes() {
        assert_eq!(
            errs(json!({"a": {"__sls__": "s", "cmd": [{"name": "x"}]}})),
            vec!["No function declared in state 'a' in SLS 's'"]
        );
        assert_eq!(
            errs(json!({"a": {"__sls__": "s", "cmd": ["run", "wait"]}})),
            vec!["Too many functions declared in state 'a' in SLS 's'. Please choose one of the following: run, wait"]
        );
        assert_eq!(
            errs(json!({"a": {"__sls__": "s", "cmd": {"x": 1}}})),
            vec!["State 'a' in SLS 's' is not formed as a list"]
        );
        assert!(
            errs(json!({"a": {"__sls__": "s", "file": null}}))[0].contains("with a trailing colon")
        );
    }

    #[test]
    fn requisite_shapes() {
        let e = errs(json!({"a": {"__sls__": "s", "cmd": ["run", {"require": "b"}]}}));
        assert_eq!(
            e,
            vec!["The require statement in state 'a' in SLS 's' needs to be formed as a list"]
        );
        let e =
            errs(json!({"a": {"__sls__": "s", "cmd": ["run", {"require": [{"cmd.run": "b"}]}]}}));
        assert_eq!(e, vec!["Invalid requisite type 'cmd.run' in state 'a', in SLS 's'. Requisite types must not contain dots, did you mean 'cmd'?"]);
        let e = errs(
            json!({"a": {"__sls__": "s", "cmd": ["run", {"require": [{"cmd": "b", "file": "c"}]}]}}),
        );
        assert!(
            e[0].starts_with("Requisite declaration {'cmd': 'b', 'file': 'c'} in state a in SLS s")
        );
    }
}
