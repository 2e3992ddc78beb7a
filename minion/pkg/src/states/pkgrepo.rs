//! `pkgrepo.managed` / `pkgrepo.absent`: apt hosts go to
//! [`super::pkgrepo_apt`] (aptpkg's source entries), yum/dnf and
//! rpm-ostree hosts to [`super::pkgrepo_yum`] (`.repo` files), as Salt's
//! one state drives whichever `pkg` module the host has.

use halite_api::{Map, StateCall, StateReturn, Value};

use crate::exec_repo::is_apt;
use crate::yumrepo::ini::py_str;

pub fn managed(call: &StateCall<'_>) -> StateReturn {
    match is_apt(call.ctx) {
        Err(e) => StateReturn::fail(&call.name, e),
        Ok(true) => super::pkgrepo_apt::managed(call),
        Ok(false) => super::pkgrepo_yum::managed(call),
    }
}

pub fn absent(call: &StateCall<'_>) -> StateReturn {
    match is_apt(call.ctx) {
        Err(e) => StateReturn::fail(&call.name, e),
        Ok(true) => super::pkgrepo_apt::absent(call),
        Ok(false) => super::pkgrepo_yum::absent(call),
    }
}

/// The state's `**kwargs`: its arguments without `name` and the named
/// parameters `ppa`, `copr`, `aptkey`.
pub(super) fn kwargs_of(call: &StateCall<'_>) -> Map {
    call.args
        .iter()
        .filter(|(k, _)| {
            !k.starts_with("__") && !matches!(k.as_str(), "name" | "ppa" | "copr" | "aptkey")
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// `salt.utils.data.is_true`: numbers (and numeric strings) above zero,
/// the string "true" in any case, else Python truthiness.
pub(crate) fn is_true(v: &Value) -> bool {
    match v {
        Value::Number(n) => n.as_f64().is_some_and(|f| f > 0.0),
        Value::String(s) => match s.trim().parse::<f64>() {
            Ok(f) => f > 0.0,
            Err(_) => s.eq_ignore_ascii_case("true"),
        },
        other => halite_api::value::is_truthy(other),
    }
}

pub(super) fn fail(call: &StateCall<'_>, comment: String) -> StateReturn {
    StateReturn::fail(&call.name, comment)
}

/// The state's checks before either host's own (Salt's `managed`): no
/// `repo`, one of `enabled`/`disabled`, no `http:` key URL without
/// `allow_insecure_key`; `name` joins the kwargs. Returns the kwargs and
/// the `enabled`/`disabled` given; `Err` is a refusal's comment.
pub(super) fn checked_kwargs(
    call: &StateCall<'_>,
) -> Result<(Map, Option<Value>, Option<Value>), String> {
    let mut kw = kwargs_of(call);
    if kw.contains_key("repo") {
        return Err("'repo' is not a supported argument for this state. The 'name' argument is probably what was intended.".into());
    }
    let enabled = kw.shift_remove("enabled").filter(|v| !v.is_null());
    let disabled = kw.shift_remove("disabled").filter(|v| !v.is_null());
    if enabled.is_some() && disabled.is_some() {
        return Err("Only one of enabled/disabled is allowed".into());
    }
    let allow_insecure = kw
        .shift_remove("allow_insecure_key")
        .is_none_or(|v| halite_api::value::is_truthy(&v));
    let key_url = kw.get("key_url").map(py_str).unwrap_or_default();
    if key_url.trim().starts_with("http:") && !allow_insecure {
        return Err(
            "Cannot have 'key_url' using http with 'allow_insecure_key' set to True".into(),
        );
    }
    kw.insert("name".into(), call.name.clone().into());
    Ok((kw, enabled, disabled))
}

/// `sorted(x)` of a list (or a string's characters).
pub(super) fn sorted(v: &Value) -> Vec<String> {
    let mut items: Vec<String> = match v {
        Value::Array(a) => a.iter().map(py_str).collect(),
        other => py_str(other).chars().map(String::from).collect(),
    };
    items.sort();
    items
}

/// `{key: {new, old}}` for every wanted key whose value differs.
pub(super) fn diff(want: &Map, new: &Map, pre: &Map) -> Map {
    want.keys()
        .filter_map(|k| {
            let n = new.get(k).cloned().unwrap_or(Value::Null);
            let o = pre.get(k).cloned().unwrap_or(Value::Null);
            (n != o).then(|| (k.clone(), super::new_old(n, o)))
        })
        .collect()
}
