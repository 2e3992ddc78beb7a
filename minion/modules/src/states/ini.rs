//! Salt's `ini` states (`salt/states/ini_manage.py`): options_present (with
//! `strict`), options_absent, sections_present, sections_absent, over the
//! `ini` execution module's functions (each step re-reads and rewrites the
//! file, as Salt's `__salt__` calls do).

use halite_api::{Map, StateCall, StateReturn, StateSpec, Value};

use super::ret;
use crate::exec::ini::model::{Entry, IniError};
use crate::exec::ini::{self as exec, Opts};

pub const SPECS: &[StateSpec] = &[
    StateSpec {
        name: "ini.options_present",
        run: options_present,
        mod_watch: None,
    },
    StateSpec {
        name: "ini.options_absent",
        run: options_absent,
        mod_watch: None,
    },
    StateSpec {
        name: "ini.sections_present",
        run: sections_present,
        mod_watch: None,
    },
    StateSpec {
        name: "ini.sections_absent",
        run: sections_absent,
        mod_watch: None,
    },
];

fn opts(call: &StateCall<'_>, no_spaces: bool) -> Result<Opts, String> {
    exec::check_encoding(call.get("encoding")).map_err(|e| e.to_string())?;
    Ok(Opts {
        separator: call.get_str("separator").unwrap_or_else(|| "=".into()),
        no_spaces: no_spaces && call.get_bool("no_spaces", false),
        test: call.test,
    })
}

/// Salt's result for an exception escaping the state function.
fn exception(call: &StateCall<'_>, kind: &str, msg: &str) -> StateReturn {
    ret(
        call,
        Some(false),
        format!("An exception occurred in this state: {kind}: {msg}"),
    )
}

fn ini_err(call: &StateCall<'_>, e: IniError) -> StateReturn {
    match &e {
        IniError::Python(m) if m.contains("object is not iterable") => {
            exception(call, "TypeError", m)
        }
        IniError::Python(m) => exception(call, "AttributeError", m),
        other => exception(call, "CommandExecutionError", &other.to_string()),
    }
}

/// `sections` as a mapping (None / missing → empty).
fn sections_map(call: &StateCall<'_>) -> Map {
    match call.get("sections") {
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(),
    }
}

/// Python iteration over a value: list items, dict keys, string characters.
fn py_iter(v: &Value) -> Result<Vec<String>, IniError> {
    match v {
        Value::Array(a) => Ok(a.iter().map(halite_api::py::str_of).collect()),
        Value::Object(m) => Ok(m.keys().cloned().collect()),
        Value::String(s) => Ok(s.chars().map(String::from).collect()),
        other => Err(IniError::Python(format!(
            "'{}' object is not iterable",
            crate::exec::ini::model::py_type(other)
        ))),
    }
}

fn is_truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Object(m) => !m.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
    }
}

fn options_present(call: &StateCall<'_>) -> StateReturn {
    let o = match opts(call, true) {
        Ok(o) => o,
        Err(m) => return ret(call, Some(false), m),
    };
    let mut r = ret(
        call,
        Some(true),
        if call.test { "" } else { "No anomaly detected" },
    );
    let sections = sections_map(call);
    let strict = call.get_bool("strict", false);
    let changes = if sections.is_empty() {
        if call.test {
            Ok(Map::new())
        } else {
            exec::set(&call.name, &Map::new(), &o)
        }
    } else {
        present::run(&call.name, &sections, strict, &o, &mut r)
    };
    let changes = match changes {
        Ok(c) => c,
        Err(e) => return ini_err(call, e),
    };
    if let Some(err) = changes.get("error") {
        r.result = Some(false);
        r.comment = format!("Errors encountered. {}", halite_api::py::str_of(err));
        return r;
    }
    for (k, body) in changes {
        if is_truthy(&body) {
            r.comment = "Changes take effect".into();
            r.changes.insert(k, body);
        }
    }
    r
}

/// The body of `options_present` when `sections` is given.
mod present {
    use super::*;

    fn str_of(v: Option<&Value>) -> String {
        v.map_or_else(|| "#-#-".into(), halite_api::py::str_of)
    }

    fn note(r: &mut StateReturn, line: String, changed: bool) {
        r.comment.push_str(&line);
        r.comment.push('\n');
        if changed {
            r.result = None;
        }
    }

    pub fn run(
        file: &str,
        sections: &Map,
        strict: bool,
        o: &Opts,
        r: &mut StateReturn,
    ) -> Result<Map, IniError> {
        let options: Map = sections
            .iter()
            .filter(|(_, v)| !v.is_object())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let cur = o.load(file)?.root.visible(true);
        let (orig_secs, orig_top): (Map, Map) = {
            let (s, t): (Vec<_>, Vec<_>) =
                cur.clone().into_iter().partition(|(_, v)| v.is_object());
            (s.into_iter().collect(), t.into_iter().collect())
        };
        let mut changes = Map::new();
        if o.test {
            for (k, v) in &options {
                let same = orig_top
                    .get(k)
                    .is_some_and(|c| str_of(Some(c)) == str_of(Some(v)));
                note(
                    r,
                    format!("{} key {k}.", if same { "Unchanged" } else { "Changed" }),
                    !same,
                );
            }
        } else {
            changes.extend(exec::set(file, &options, o)?);
        }
        if strict {
            remove_undeclared(
                file,
                sections,
                &options,
                &orig_top,
                &orig_secs,
                o,
                r,
                &mut changes,
            )?;
        }
        for (sname, body) in sections.iter().filter(|(_, v)| v.is_object()) {
            let body = body.as_object().expect("filtered objects");
            section(
                file,
                sname,
                body,
                strict,
                &cur,
                &orig_secs,
                o,
                r,
                &mut changes,
            )?;
        }
        Ok(changes)
    }

    #[allow(clippy::too_many_arguments)]
    fn remove_undeclared(
        file: &str,
        sections: &Map,
        options: &Map,
        orig_top: &Map,
        orig_secs: &Map,
        o: &Opts,
        r: &mut StateReturn,
        changes: &mut Map,
    ) -> Result<(), IniError> {
        for (k, before) in orig_top.iter().filter(|(k, _)| !options.contains_key(*k)) {
            if o.test {
                note(r, format!("Removed key {k}."), true);
            } else {
                exec::remove_opt(file, None, k, o)?;
                changes.insert(
                    k.clone(),
                    serde_json::json!({"before": before, "after": null}),
                );
            }
        }
        let declared = |k: &str| sections.get(k).is_some_and(Value::is_object);
        for (k, before) in orig_secs.iter().filter(|(k, _)| !declared(k)) {
            if o.test {
                note(r, format!("Removed section {k}."), true);
            } else {
                exec::remove_sect(file, k, o)?;
                changes.insert(
                    k.clone(),
                    serde_json::json!({"before": before, "after": null}),
                );
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn section(
        file: &str,
        sname: &str,
        body: &Map,
        strict: bool,
        cur: &Map,
        orig_secs: &Map,
        o: &Opts,
        r: &mut StateReturn,
        changes: &mut Map,
    ) -> Result<(), IniError> {
        let descr = if sname.is_empty() {
            String::new()
        } else {
            format!(" in section {sname}")
        };
        let orig = orig_secs.get(sname).and_then(Value::as_object);
        let mut sect = Map::new();
        if strict {
            let original = match cur.get(sname) {
                None => Map::new(),
                Some(Value::Object(m)) => m.clone(),
                Some(_) => {
                    return Err(IniError::Python(
                        "'str' object has no attribute 'keys'".into(),
                    ))
                }
            };
            for key in original.keys().filter(|k| !body.contains_key(*k)) {
                if o.test {
                    note(r, format!("Deleted key {key}{descr}."), true);
                } else {
                    exec::remove_opt(file, Some(sname), key, o)?;
                    let before = orig
                        .and_then(|m| m.get(key))
                        .cloned()
                        .unwrap_or_else(|| "#-#-".into());
                    sect.insert(
                        key.clone(),
                        serde_json::json!({"before": before, "after": null}),
                    );
                }
            }
        }
        if o.test {
            for (k, v) in body {
                let same = str_of(Some(v)) == str_of(orig.and_then(|m| m.get(k)));
                let word = if same { "Unchanged" } else { "Changed" };
                note(r, format!("{word} key {k}{descr}."), !same);
            }
        } else {
            let mut one = Map::new();
            one.insert(sname.to_string(), Value::Object(body.clone()));
            if let Some(Value::Object(upd)) = exec::set(file, &one, o)?.remove(sname) {
                sect.extend(upd);
            }
        }
        // Salt deletes an empty entry; empty entries are never reported.
        changes.insert(sname.to_string(), Value::Object(sect));
        Ok(())
    }
}

fn options_absent(call: &StateCall<'_>) -> StateReturn {
    let o = match opts(call, false) {
        Ok(o) => o,
        Err(m) => return ret(call, Some(false), m),
    };
    let sections = sections_map(call);
    let res = if call.test {
        absent_test(call, &sections, &o)
    } else {
        absent_apply(call, &sections, &o)
    };
    res.unwrap_or_else(|e| ini_err(call, e))
}

fn absent_test(call: &StateCall<'_>, sections: &Map, o: &Opts) -> Result<StateReturn, IniError> {
    let mut r = ret(call, Some(true), "");
    for (section, keys) in sections {
        let descr = if section.is_empty() {
            String::new()
        } else {
            format!(" in section {section}")
        };
        if let Value::Array(keys) = keys {
            let cur = match exec::section_of(&call.name, section, o) {
                Ok(m) => m,
                Err(IniError::Python(_)) => {
                    return Err(IniError::Python(
                        "'str' object has no attribute 'get'".into(),
                    ))
                }
                Err(e) => return Err(e),
            };
            for key in keys.iter().map(halite_api::py::str_of) {
                if !cur.get(&key).is_some_and(is_truthy) {
                    r.comment
                        .push_str(&format!("Key {key}{descr} does not exist.\n"));
                    continue;
                }
                r.comment.push_str(&format!("Deleted key {key}{descr}.\n"));
                r.result = None;
            }
        } else if !is_truthy(&exec::option_of(&call.name, None, section, o)?) {
            r.comment
                .push_str(&format!("Key {section} does not exist.\n"));
        } else {
            r.comment.push_str(&format!("Deleted key {section}.\n"));
            r.result = None;
        }
    }
    if r.comment.is_empty() {
        r.comment = "No changes detected.".into();
    }
    Ok(r)
}

fn absent_apply(call: &StateCall<'_>, sections: &Map, o: &Opts) -> Result<StateReturn, IniError> {
    let mut r = ret(call, Some(true), "No anomaly detected");
    for (section, keys) in sections {
        for key in py_iter(keys)? {
            let cur = exec::remove_opt(&call.name, Some(section), &key, o)?
                .map_or(Value::Null, |e: Entry| e.to_value());
            if !is_truthy(&cur) {
                continue;
            }
            if keys.is_array() {
                let entry = r
                    .changes
                    .entry(section.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(m) = entry {
                    m.insert(key, cur);
                }
            } else {
                r.changes.insert(section.clone(), cur);
            }
            r.comment = "Changes take effect".into();
        }
    }
    Ok(r)
}

/// `sections` of sections_present/absent as Python iterates them.
fn section_names(call: &StateCall<'_>) -> Result<Vec<String>, IniError> {
    match call.get("sections") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(v) => py_iter(v),
    }
}

fn sections_present(call: &StateCall<'_>) -> StateReturn {
    let o = match opts(call, false) {
        Ok(o) => o,
        Err(m) => return ret(call, Some(false), m),
    };
    if !call.test {
        // Salt 3008.4 passes `section=` to ini.set_option, which has no such
        // argument: the state always raises.
        return exception(
            call,
            "TypeError",
            "set_option() got an unexpected keyword argument 'section'",
        );
    }
    let res = (|| {
        let cur = o.load(&call.name)?.root.visible(true);
        let mut r = ret(call, Some(true), "");
        for s in section_names(call)? {
            if cur.contains_key(&s) {
                r.comment.push_str(&format!("Section unchanged {s}.\n"));
            } else {
                r.comment.push_str(&format!("Created new section {s}.\n"));
                r.result = None;
            }
        }
        if r.comment.is_empty() {
            r.comment = "No changes detected.".into();
        }
        Ok(r)
    })();
    res.unwrap_or_else(|e| ini_err(call, e))
}

fn sections_absent(call: &StateCall<'_>) -> StateReturn {
    let o = match opts(call, false) {
        Ok(o) => o,
        Err(m) => return ret(call, Some(false), m),
    };
    let res = (|| {
        let names = section_names(call)?;
        if call.test {
            let cur = o.load(&call.name)?.root.visible(true);
            let mut r = ret(call, Some(true), "");
            for s in names {
                if cur.contains_key(&s) {
                    r.comment.push_str(&format!("Deleted section {s}.\n"));
                    r.result = None;
                } else {
                    r.comment
                        .push_str(&format!("Section {s} does not exist.\n"));
                }
            }
            if r.comment.is_empty() {
                r.comment = "No changes detected.".into();
            }
            return Ok(r);
        }
        let mut r = ret(call, Some(true), "No anomaly detected");
        for s in names {
            match exec::remove_sect(&call.name, &s, &o)? {
                Some(m) if !m.is_empty() => {
                    r.changes.insert(s, Value::Object(m));
                    r.comment = "Changes take effect".into();
                }
                _ => {}
            }
        }
        Ok(r)
    })();
    res.unwrap_or_else(|e| ini_err(call, e))
}

#[cfg(test)]
mod tests;
