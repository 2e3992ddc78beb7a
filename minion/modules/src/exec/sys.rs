//! The `sys` execution module: list_functions, list_modules, doc,
//! list_state_functions, list_state_modules.

use halite_api::{ExecCall, ExecSpec, Map, Value};

use super::{ok, ExecResult};

pub const SPECS: &[ExecSpec] = &[
    ExecSpec { name: "sys.list_functions", doc: "List the functions for all modules. Optionally, specify a module or modules from which to list.", run: list_functions },
    ExecSpec { name: "sys.list_modules", doc: "List the modules loaded on the minion", run: list_modules },
    ExecSpec { name: "sys.doc", doc: "Return the docstrings for all modules. Optionally, specify a module or a function to narrow the selection.", run: doc },
    ExecSpec { name: "sys.list_state_functions", doc: "List the functions for all state modules. Optionally, specify a state module or modules from which to list.", run: list_state_functions },
    ExecSpec { name: "sys.list_state_modules", doc: "List the modules loaded on the minion", run: list_state_modules },
];

/// Salt's filter: no args → everything; `mod` or `mod.` → that module; globs allowed.
fn matches(name: &str, patterns: &[String]) -> bool {
    if patterns.is_empty() {
        return true;
    }
    patterns.iter().any(|p| {
        if p.contains('*') {
            glob_match(p, name)
        } else if p.contains('.') && !p.ends_with('.') {
            name == p
        } else {
            name.starts_with(&format!("{}.", p.trim_end_matches('.')))
        }
    })
}

/// Shell-style `*` glob match.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(idx) => rest = &rest[idx + part.len()..],
                None => return false,
            }
        }
    }
    true
}

fn patterns(call: &ExecCall<'_>) -> Vec<String> {
    call.args
        .iter()
        .map(halite_api::module::value_to_arg_string)
        .collect()
}

fn names_to_value(names: Vec<String>) -> Value {
    Value::Array(names.into_iter().map(Value::String).collect())
}

fn modules_of<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut mods: Vec<String> = names
        .filter_map(|n| n.split_once('.').map(|(m, _)| m.to_string()))
        .collect();
    mods.dedup();
    mods
}

fn list_functions(call: &ExecCall<'_>) -> ExecResult {
    let pats = patterns(call);
    ok(names_to_value(
        call.ctx
            .registry
            .exec_names()
            .filter(|n| matches(n, &pats))
            .map(str::to_string)
            .collect(),
    ))
}

fn list_state_functions(call: &ExecCall<'_>) -> ExecResult {
    let pats = patterns(call);
    ok(names_to_value(
        call.ctx
            .registry
            .state_names()
            .filter(|n| matches(n, &pats))
            .map(str::to_string)
            .collect(),
    ))
}

fn list_modules(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &[])?;
    let pats = patterns(call);
    let mods = modules_of(call.ctx.registry.exec_names());
    ok(names_to_value(
        mods.into_iter()
            .filter(|m| pats.is_empty() || pats.iter().any(|p| glob_match(p, m)))
            .collect(),
    ))
}

fn list_state_modules(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &[])?;
    ok(names_to_value(modules_of(call.ctx.registry.state_names())))
}

fn doc(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &[])?;
    let pats = patterns(call);
    let mut ret = Map::new();
    for name in call.ctx.registry.exec_names().filter(|n| matches(n, &pats)) {
        if let Some(spec) = call.ctx.registry.exec(name) {
            ret.insert(name.to_string(), Value::String(spec.doc.to_string()));
        }
    }
    ok(Value::Object(ret))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{ctx_with, FakeRunner, TempDir};
    use serde_json::json;

    #[test]
    fn listing_and_filters() {
        let d = TempDir::new("sys");
        let ctx = ctx_with(FakeRunner::new(), &d.0);
        let f = ctx
            .call("sys.list_functions", vec![json!("test")], Map::new())
            .unwrap()
            .ret;
        assert!(f.as_array().unwrap().contains(&json!("test.ping")));
        assert!(!f.as_array().unwrap().contains(&json!("cmd.run")));
        let m = ctx
            .call("sys.list_modules", vec![], Map::new())
            .unwrap()
            .ret;
        assert!(m.as_array().unwrap().contains(&json!("grains")));
        let s = ctx
            .call("sys.list_state_functions", vec![json!("file")], Map::new())
            .unwrap()
            .ret;
        assert!(s.as_array().unwrap().contains(&json!("file.managed")));
        let doc = ctx
            .call("sys.doc", vec![json!("test.ping")], Map::new())
            .unwrap()
            .ret;
        assert_eq!(doc.as_object().unwrap().len(), 1);
        assert!(glob_match("t*.p*g", "test.ping"));
        assert!(!glob_match("x*", "test"));
    }
}
