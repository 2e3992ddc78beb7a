//! State modules: `pkg.installed`, `pkg.latest`, `pkg.removed`,
//! `pkg.purged` (Salt's comments, changes and test-mode returns, recorded
//! from salt-call 3008.4 on apt) and `pkgrepo.managed`/`pkgrepo.absent`
//! (apt source lines, yum/dnf `.repo` files).

use halite_api::{Map, StateCall, StateSpec, Value};

use crate::exec::{pkg_entry, version_text};

pub mod installed;
pub mod latest;
pub mod pkgrepo;
pub mod pkgrepo_apt;
pub mod pkgrepo_yum;
pub mod removed;

pub const STATES: &[StateSpec] = &[
    StateSpec {
        name: "pkg.installed",
        run: installed::installed,
        mod_watch: None,
    },
    StateSpec {
        name: "pkg.latest",
        run: latest::latest,
        mod_watch: None,
    },
    StateSpec {
        name: "pkg.removed",
        run: removed::removed,
        mod_watch: None,
    },
    StateSpec {
        name: "pkg.purged",
        run: removed::purged,
        mod_watch: None,
    },
    StateSpec {
        name: "pkgrepo.managed",
        run: pkgrepo::managed,
        mod_watch: None,
    },
    StateSpec {
        name: "pkgrepo.absent",
        run: pkgrepo::absent,
        mod_watch: None,
    },
];

/// What a pkg state asks for: `(name, version)` per package, from `pkgs`
/// or from `name` (+ `version`). `None` when `pkgs` is an empty list.
pub fn desired(call: &StateCall<'_>) -> Option<Vec<(String, Option<String>)>> {
    match call.get("pkgs") {
        Some(Value::Array(list)) if list.is_empty() => None,
        Some(Value::Array(list)) => Some(list.iter().map(pkg_entry).collect()),
        _ => Some(vec![(
            call.name.clone(),
            call.get("version").and_then(version_text),
        )]),
    }
}

/// `refresh:` as given (`None` when absent).
pub fn refresh_arg(call: &StateCall<'_>) -> Option<bool> {
    call.get("refresh").map(halite_api::module::value_to_bool)
}

/// Salt's `_get_desired_pkg`: `name`, `name=version` or `name>=version`.
pub fn desired_text(name: &str, version: Option<&str>) -> String {
    match version {
        None => name.to_string(),
        Some(v) if v.starts_with(['<', '>', '=']) => format!("{name}{v}"),
        Some(v) => format!("{name}={v}"),
    }
}

/// `{old, new}`.
pub fn old_new(old: impl Into<Value>, new: impl Into<Value>) -> Value {
    let mut m = Map::new();
    m.insert("old".into(), old.into());
    m.insert("new".into(), new.into());
    Value::Object(m)
}

/// `{new, old}`: the key order of Salt's test-mode changes.
pub fn new_old(new: impl Into<Value>, old: impl Into<Value>) -> Value {
    let mut m = Map::new();
    m.insert("new".into(), new.into());
    m.insert("old".into(), old.into());
    Value::Object(m)
}
