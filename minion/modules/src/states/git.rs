//! `git.config_set` and `git.config_unset` (Salt's `salt/states/git.py`)
//! over the git config execution functions.

use halite_api::{ExecError, Map, StateCall, StateReturn, StateSpec, Value};
use serde_json::json;

use super::ret;
use crate::exec::git::{multivar_list, truthy, Git, RunAs, Scope};

pub const SPECS: &[StateSpec] = &[
    StateSpec {
        name: "git.config_set",
        run: config_set,
        mod_watch: None,
    },
    StateSpec {
        name: "git.config_unset",
        run: config_unset,
        mod_watch: None,
    },
];

fn fail(call: &StateCall<'_>, msg: impl Into<String>) -> StateReturn {
    ret(call, Some(false), msg)
}

/// An exception Salt does not catch here (the state ends with it).
fn raised(call: &StateCall<'_>, kind: &str, e: impl std::fmt::Display) -> StateReturn {
    fail(
        call,
        format!("An exception occurred in this state: {kind}{e}"),
    )
}

fn exec_raised(call: &StateCall<'_>, e: &ExecError) -> StateReturn {
    let kind = match e {
        ExecError::Invocation(_) => "salt.exceptions.SaltInvocationError: ",
        _ => "salt.exceptions.CommandExecutionError: ",
    };
    raised(call, kind, e)
}

/// `salt.utils.args.invalid_kwargs(..., raise_exc=False)` for unknown keys.
fn invalid_kwargs(call: &StateCall<'_>, known: &[&str]) -> Option<String> {
    let bad: Vec<String> = call
        .args
        .iter()
        .filter(|(k, _)| !k.starts_with("__") && !known.contains(&k.as_str()))
        .map(|(k, v)| format!("{k}={}", halite_api::py::str_of(v)))
        .collect();
    (!bad.is_empty()).then(|| {
        format!(
            "The following keyword arguments are not valid: {}",
            bad.join(", ")
        )
    })
}

/// `_strip_exc`: the message without its `Command '...' failed: ` prefix.
fn strip_exc(e: &ExecError) -> String {
    let re = regex::Regex::new(r#"^Command ['"].+['"] failed: "#).expect("valid regex");
    re.replace(&e.to_string(), "").into_owned()
}

/// The repository scope of a state (`repo`, `user`, `global`), `ignore_retcode` as given.
fn scope(call: &StateCall<'_>, global: bool, ignore_retcode: bool) -> Scope {
    Scope {
        cwd: call.get("repo").map(halite_api::py::str_of),
        global,
        who: RunAs {
            user: call
                .get("user")
                .map(halite_api::py::str_of)
                .filter(|u| !u.is_empty()),
            ignore_retcode,
        },
    }
}

/// Checks shared by both states: `global`, or the failure comment.
fn preamble(call: &StateCall<'_>, known: &[&str]) -> Result<bool, String> {
    if let Some(msg) = invalid_kwargs(call, known) {
        return Err(msg);
    }
    let global = truthy(call.args.get("global"));
    if !global && !truthy(call.args.get("repo")) {
        return Err("Non-global config options require the 'repo' argument to be set".into());
    }
    Ok(global)
}

const SET_ARGS: [&str; 8] = [
    "name",
    "value",
    "multivar",
    "repo",
    "user",
    "password",
    "output_encoding",
    "global",
];

fn config_set(call: &StateCall<'_>) -> StateReturn {
    let (value, multivar) = (call.get("value"), call.get("multivar"));
    if value.is_some() && multivar.is_some() {
        return fail(call, "Only one of 'value' and 'multivar' is permitted");
    }
    let global = match preamble(call, &SET_ARGS) {
        Ok(g) => g,
        Err(msg) => return fail(call, msg),
    };
    let name = call.name.clone();
    let (desired, comment, value_str, multi): (
        Vec<String>,
        String,
        Option<String>,
        Option<Vec<String>>,
    ) =
        match (value, multivar) {
            (Some(v), _) => {
                let v = halite_api::py::str_of(v);
                (vec![v.clone()], format!("'{v}'"), Some(v), None)
            }
            (None, Some(m)) => {
                let m = multivar_list(m);
                let repr = halite_api::py::repr(&json!(m));
                (m.clone(), repr, None, Some(m))
            }
            (None, None) => return raised(
                call,
                "UnboundLocalError: ",
                "cannot access local variable 'desired' where it is not associated with a value",
            ),
        };
    let g = if global { "Global key " } else { "" };
    let git = Git::new(call.ctx);
    let pre = match git.config_get(&name, true, &scope(call, global, true)) {
        Ok(p) => p,
        Err(e) => return exec_raised(call, &e),
    };
    let desired_v = json!(desired);
    if desired_v == pre {
        return ret(
            call,
            Some(true),
            format!("{g}'{name}' is already set to {comment}"),
        );
    }
    let verb = if pre.is_null() { "added as" } else { "set to" };
    if call.test {
        let mut r = ret(call, None, format!("{g}'{name}' would be {verb} {comment}"));
        r.changes = changes(json!({"old": pre, "new": desired_v}));
        return r;
    }
    let post = match git.config_set(
        &name,
        value_str.as_deref(),
        multi.as_deref(),
        false,
        &scope(call, global, false),
    ) {
        Ok(p) => p,
        Err(e @ ExecError::Failed(_)) => {
            let lg = if global { "global key " } else { "" };
            return fail(
                call,
                format!("Failed to set {lg}'{name}' to {comment}: {}", strip_exc(&e)),
            );
        }
        Err(e) => return exec_raised(call, &e),
    };
    let mut r = ret(call, Some(true), "");
    if pre != post {
        r.changes
            .insert(name.clone(), json!({"old": pre, "new": post}));
    }
    if post != desired_v {
        let lg = if global { "global key " } else { "" };
        r.result = Some(false);
        r.comment = format!("Failed to set {lg}'{name}' to {comment}");
        return r;
    }
    r.comment = format!("{g}'{name}' was {verb} {comment}");
    r
}

fn changes(v: Value) -> Map {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

const UNSET_ARGS: [&str; 8] = [
    "name",
    "value_regex",
    "repo",
    "user",
    "password",
    "output_encoding",
    "global",
    "all",
];

/// `"key (v1, v2)"` for each key of a `config_get_regexp` answer (with more than `min` values).
fn listing(m: &Map, min: usize) -> Vec<String> {
    m.iter()
        .filter_map(|(k, v)| {
            let vals: Vec<String> = v.as_array()?.iter().map(halite_api::py::str_of).collect();
            (vals.len() > min).then(|| format!("{k} ({})", vals.join(", ")))
        })
        .collect()
}

fn config_unset(call: &StateCall<'_>) -> StateReturn {
    let global = match preamble(call, &UNSET_ARGS) {
        Ok(g) => g,
        Err(msg) => return fail(call, msg),
    };
    match unset_steps(call, global) {
        Ok(r) => r,
        Err(e) => exec_raised(call, &e),
    }
}

fn unset_steps(call: &StateCall<'_>, global: bool) -> Result<StateReturn, ExecError> {
    let name = call.name.clone();
    let regex = call.get("value_regex").map(halite_api::py::str_of);
    let all = truthy(call.args.get("all"));
    let key = format!("^{}$", name.trim_start_matches('^').trim_end_matches('$'));
    let git = Git::new(call.ctx);
    let quiet = scope(call, global, true);
    let get = |re: Option<&str>| git.config_get_regexp(&key, re, &quiet);
    let pre_matches = get(regex.as_deref())?;
    if pre_matches.is_empty() {
        return Ok(ret(call, Some(true), "No matching keys are set"));
    }
    if !all {
        let greedy = listing(&pre_matches, 1);
        if !greedy.is_empty() {
            let why = if regex.is_some() {
                "Multiple values are matched by value_regex for the following keys (set 'all' to True to force removal): "
            } else {
                "Multivar(s) matched by the key expression (set 'all' to True to force removal): "
            };
            return Ok(fail(call, format!("{why}{}", greedy.join("; "))));
        }
    }
    if call.test {
        let mut r = ret(
            call,
            None,
            format!("{} key(s) would have value(s) unset", pre_matches.len()),
        );
        r.changes = pre_matches;
        return Ok(r);
    }
    let pre = if regex.is_none() {
        pre_matches.clone()
    } else {
        get(None)?
    };
    let mut failed = Vec::new();
    let loud = scope(call, global, false);
    for key_name in pre_matches.keys() {
        if let Err(e) = git.config_unset(&name, regex.as_deref(), all, &loud) {
            let mut msg = format!("Failed to unset '{key_name}'");
            if regex.is_some() {
                msg.push_str(" using value_regex '{1}'");
            }
            tracing::error!("{msg}: {}", strip_exc(&e));
            failed.push(key_name.clone());
        }
    }
    if !failed.is_empty() {
        return Ok(fail(call, format!("Error(s) occurred unsetting values for the following keys (see the minion log for details): {}", failed.join(", "))));
    }
    let post = get(None)?;
    let mut r = ret(call, Some(true), "Value(s) successfully unset");
    for (key_name, old) in &pre {
        let Some(now) = post.get(key_name) else {
            // Salt sets the change, then indexes `post` with the missing key.
            return Ok(raised(
                call,
                "KeyError: ",
                halite_api::py::repr(&json!(key_name)),
            ));
        };
        let now = now.as_array().cloned().unwrap_or_default();
        let unset: Vec<Value> = old
            .as_array()
            .into_iter()
            .flatten()
            .filter(|x| !now.contains(x))
            .cloned()
            .collect();
        if !unset.is_empty() {
            r.changes.insert(key_name.clone(), Value::Array(unset));
        }
    }
    let post_matches = if regex.is_none() {
        post
    } else {
        get(regex.as_deref())?
    };
    if !post_matches.is_empty() {
        let left = listing(&post_matches, 0);
        return Ok(fail(
            call,
            format!("Failed to unset value(s): {}", left.join("; ")),
        ));
    }
    Ok(r)
}
