//! `*_in`, `use` and `use_in`: rewritten into `extend` entries on their targets
//! and applied strictly (Salt's `requisite_in`).

use halite_api::{Map, Value};

use crate::high::{find_name, first_key, one_key, reconcile_extend};
use crate::py::py_str;

const REQ_IN: &[&str] = &[
    "require_in",
    "watch_in",
    "onfail_in",
    "onchanges_in",
    "use",
    "use_in",
    "prereq_in",
];
const REQ_IN_ALL_EXTRA: &[&str] = &[
    "require",
    "watch",
    "prereq",
    "onfail",
    "onfail_stop",
    "onchanges",
];

/// Pending extensions: target ID → (state module → args), plus `__env__`/`__sls__`.
type Extend = Map;

/// Apply requisite-in declarations; returns the errors.
pub fn requisite_in(high: &mut Map) -> Vec<String> {
    let mut extend = Extend::new();
    let mut errors = Vec::new();
    for (id, body) in high.iter() {
        let Value::Object(body) = body else { continue };
        for (state, run) in body {
            if state.starts_with("__") {
                continue;
            }
            let Value::Array(run) = run else { continue };
            for arg in run {
                let Some(key) = first_key(arg) else { continue };
                if !REQ_IN.contains(&key) {
                    continue;
                }
                let items = &arg[key];
                let ctx = Source {
                    id,
                    state,
                    body,
                    key,
                };
                match items {
                    Value::Object(m) => dict_form(&ctx, m, &mut extend, &mut errors),
                    Value::Array(list) => list_form(&ctx, list, high, &mut extend, &mut errors),
                    _ => {}
                }
            }
        }
    }
    let ext: Vec<Value> = extend.into_iter().map(|(k, v)| one_key(&k, v)).collect();
    high.insert("__extend__".into(), Value::Array(ext));
    errors.extend(reconcile_extend(high, true));
    errors
}

struct Source<'a> {
    id: &'a str,
    state: &'a str,
    body: &'a Map,
    key: &'a str,
}

impl Source<'_> {
    fn rkey(&self) -> &str {
        self.key.split('_').next().unwrap_or(self.key)
    }
    fn sls(&self) -> String {
        self.body.get("__sls__").map(py_str).unwrap_or_default()
    }
}

fn add_req(ctx: &Source<'_>, extend: &mut Extend, name: &str, target_state: &str) {
    let entry = extend
        .entry(name.to_string())
        .or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(ext) = entry else { return };
    let list = ext
        .entry(target_state.to_string())
        .or_insert_with(|| Value::Array(vec![]));
    let rkey = ctx.rkey().to_string();
    let me = one_key(ctx.state, Value::String(ctx.id.to_string()));
    if let Value::Array(list) = list {
        let mut found = false;
        for item in list.iter_mut() {
            if first_key(item) == Some(rkey.as_str()) {
                if let Some(Value::Array(reqs)) = item.get_mut(&rkey) {
                    reqs.push(me.clone());
                }
                found = true;
            }
        }
        if !found {
            list.push(one_key(&rkey, Value::Array(vec![me])));
        }
    }
    ext.insert(
        "__env__".into(),
        ctx.body.get("__env__").cloned().unwrap_or(Value::Null),
    );
    ext.insert(
        "__sls__".into(),
        ctx.body.get("__sls__").cloned().unwrap_or(Value::Null),
    );
}

fn dict_form(ctx: &Source<'_>, items: &Map, extend: &mut Extend, errors: &mut Vec<String>) {
    for (st, name) in items {
        let name = py_str(name);
        let mut st = st.as_str();
        if let Some(pos) = st.find('.') {
            errors.push(format!(
                "Invalid requisite in {}: {st} for {name} in SLS '{}'. Requisites must not contain dots, did you mean '{}'?",
                ctx.rkey(),
                ctx.sls(),
                &st[..pos]
            ));
            st = &st[..pos];
        }
        add_req(ctx, extend, &name, st);
    }
}

/// Resolve a bare-string req_in entry to `{state: id}` (by ID, else by `name`).
fn resolve_bare(ind: &str, high: &Map) -> Option<(String, String)> {
    if let Some(Value::Object(b)) = high.get(ind) {
        let first = b.keys().find(|k| !k.starts_with("__"))?;
        return Some((first.clone(), ind.to_string()));
    }
    let mut found = None;
    for (id, body) in high {
        let Value::Object(body) = body else { continue };
        for (st, run) in body.iter().filter(|(k, _)| !k.starts_with("__")) {
            let Value::Array(run) = run else { continue };
            if run
                .iter()
                .any(|j| j.get("name").and_then(Value::as_str) == Some(ind))
            {
                found = Some((st.clone(), id.clone()));
            }
        }
    }
    found
}

fn list_form(
    ctx: &Source<'_>,
    items: &[Value],
    high: &Map,
    extend: &mut Extend,
    errors: &mut Vec<String>,
) {
    let mut hinges: Vec<(String, String)> = Vec::new();
    for ind in items {
        let (pstate, pname) = match ind {
            Value::Object(m) if !m.is_empty() => {
                let (k, v) = m.iter().next().expect("non-empty");
                (k.clone(), py_str(v))
            }
            Value::Object(_) => continue,
            other => match resolve_bare(&py_str(other), high) {
                Some(p) => p,
                None => continue,
            },
        };
        if pstate == "sls" {
            hinges = find_sls_ids(&pname, high);
        } else {
            hinges.push((pname.clone(), pstate.clone()));
        }
        if let Some(pos) = pstate.find('.') {
            errors.push(format!(
                "Invalid requisite in {}: {pstate} for {pname}, in SLS '{}'. Requisites must not contain dots, did you mean '{}'?",
                ctx.rkey(),
                ctx.sls(),
                &pstate[..pos]
            ));
        }
        for (name, st) in hinges.clone() {
            match ctx.key {
                "use_in" => use_in(ctx, &name, &st, high, extend),
                "use" => use_(ctx, &name, &st, high, extend),
                _ => add_req(ctx, extend, &name, &st),
            }
        }
    }
}

fn find_sls_ids(sls: &str, high: &Map) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (id, item) in high {
        let Value::Object(item) = item else { continue };
        if item.get("__sls__").and_then(Value::as_str) == Some(sls) {
            for st in item.keys().filter(|k| !k.starts_with("__")) {
                out.push((id.clone(), st.clone()));
            }
        }
    }
    out
}

fn arg_names(high: &Map, id: &str, state: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(Value::Array(run)) = high.get(id).and_then(|b| b.get(state)) {
        for a in run {
            if let Value::Object(m) = a {
                if m.len() == 1 {
                    out.push(m.keys().next().expect("one").clone());
                }
            }
        }
    }
    out
}

fn copyable(arg: &Value, ignore: &[String]) -> bool {
    let Value::Object(m) = arg else { return false };
    if m.len() != 1 {
        return false;
    }
    let k = m.keys().next().expect("one").as_str();
    let is_req = REQ_IN.contains(&k) || REQ_IN_ALL_EXTRA.contains(&k);
    !is_req && !ignore.iter().any(|i| i == k) && k != "name" && k != "names"
}

fn push_ext(extend: &mut Extend, id: &str, state: &str, args: Vec<Value>) {
    let entry = extend
        .entry(id.to_string())
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(e) = entry {
        if let Value::Array(l) = e
            .entry(state.to_string())
            .or_insert_with(|| Value::Array(vec![]))
        {
            l.extend(args);
        }
    }
}

fn use_in(ctx: &Source<'_>, name: &str, st: &str, high: &Map, extend: &mut Extend) {
    for (ext_id, req_state) in find_name(name, st, high, true) {
        let ignore = arg_names(high, &ext_id, st);
        let own = high
            .get(ctx.id)
            .and_then(|b| b.get(ctx.state))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let args = own.into_iter().filter(|a| copyable(a, &ignore)).collect();
        push_ext(extend, &ext_id, &req_state, args);
    }
}

fn use_(ctx: &Source<'_>, name: &str, st: &str, high: &Map, extend: &mut Extend) {
    for (ext_id, req_state) in find_name(name, st, high, true) {
        let ignore = arg_names(high, ctx.id, ctx.state);
        let theirs = high
            .get(&ext_id)
            .and_then(|b| b.get(&req_state))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let args = theirs
            .into_iter()
            .filter(|a| copyable(a, &ignore))
            .collect();
        push_ext(extend, ctx.id, ctx.state, args);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn require_in_becomes_require_on_target() {
        let mut high = json!({
            "a": {"cmd": ["run", {"require_in": [{"cmd": "b"}]}, {"order": 1}], "__sls__": "s", "__env__": "base"},
            "b": {"cmd": ["run", {"order": 2}], "__sls__": "s", "__env__": "base"}
        })
        .as_object()
        .cloned()
        .unwrap();
        assert!(requisite_in(&mut high).is_empty());
        assert_eq!(
            high["b"]["cmd"],
            json!(["run", {"order": 2}, {"require": [{"cmd": "a"}]}])
        );
    }

    #[test]
    fn use_copies_plain_args_only() {
        let mut high = json!({
            "base": {"cmd": ["run", {"cwd": "/tmp"}, {"name": "x"}, {"require": [{"cmd": "q"}]}], "__sls__": "s", "__env__": "base"},
            "user": {"cmd": ["run", {"use": [{"cmd": "base"}]}], "__sls__": "s", "__env__": "base"},
            "q": {"cmd": ["run"], "__sls__": "s", "__env__": "base"}
        })
        .as_object()
        .cloned()
        .unwrap();
        assert!(requisite_in(&mut high).is_empty());
        assert_eq!(
            high["user"]["cmd"],
            json!(["run", {"use": [{"cmd": "base"}]}, {"cwd": "/tmp"}])
        );
    }
}
