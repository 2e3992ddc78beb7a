//! The `file` state module: managed, directory, absent, symlink, append,
//! replace, line, comment, uncomment, recurse, touch, exists, missing,
//! accumulated.

use std::path::Path;

use halite_api::{StateCall, StateReturn, StateSpec, Value};

use super::ret;
use crate::util::perms::{self, PermsSpec};

pub mod absent;
pub mod accumulated;
pub mod block;
pub mod directory;
pub mod edit;
pub mod line;
pub mod managed;
pub mod recurse;
pub mod serialize;
pub mod source;
pub mod symlink;

pub const SPECS: &[StateSpec] = &[
    StateSpec {
        name: "file.managed",
        run: managed::managed,
        mod_watch: None,
    },
    StateSpec {
        name: "file.accumulated",
        run: accumulated::accumulated,
        mod_watch: None,
    },
    StateSpec {
        name: "file.blockreplace",
        run: block::blockreplace,
        mod_watch: None,
    },
    StateSpec {
        name: "file.serialize",
        run: serialize::serialize,
        mod_watch: None,
    },
    StateSpec {
        name: "file.directory",
        run: directory::directory,
        mod_watch: None,
    },
    StateSpec {
        name: "file.absent",
        run: absent::absent,
        mod_watch: None,
    },
    StateSpec {
        name: "file.exists",
        run: absent::exists,
        mod_watch: None,
    },
    StateSpec {
        name: "file.missing",
        run: absent::missing,
        mod_watch: None,
    },
    StateSpec {
        name: "file.touch",
        run: absent::touch,
        mod_watch: None,
    },
    StateSpec {
        name: "file.symlink",
        run: symlink::symlink,
        mod_watch: None,
    },
    StateSpec {
        name: "file.append",
        run: edit::append,
        mod_watch: None,
    },
    StateSpec {
        name: "file.replace",
        run: edit::replace,
        mod_watch: None,
    },
    StateSpec {
        name: "file.comment",
        run: edit::comment,
        mod_watch: None,
    },
    StateSpec {
        name: "file.uncomment",
        run: edit::uncomment,
        mod_watch: None,
    },
    StateSpec {
        name: "file.line",
        run: line::line,
        mod_watch: None,
    },
    StateSpec {
        name: "file.recurse",
        run: recurse::recurse,
        mod_watch: None,
    },
];

/// Salt's `_error`: result False with a comment.
pub fn error(call: &StateCall<'_>, comment: impl Into<String>) -> StateReturn {
    ret(call, Some(false), comment)
}

/// `~` expansion of the state's name.
pub fn expand_name(name: &str) -> String {
    match name.strip_prefix('~') {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => {
            let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
            format!("{home}{rest}")
        }
        _ => name.to_string(),
    }
}

/// `user`/`group` args; numbers are kept as their text.
pub fn owner_args(call: &StateCall<'_>) -> (Option<String>, Option<String>) {
    (
        call.get_str("user").filter(|s| !s.is_empty()),
        call.get_str("group").filter(|s| !s.is_empty()),
    )
}

/// The requested ownership and mode (`mode` normalised) of a path.
pub fn perms_from_args(call: &StateCall<'_>, mode_key: &str, follow_symlinks: bool) -> PermsSpec {
    let (user, group) = owner_args(call);
    PermsSpec {
        user,
        group,
        mode: call.get(mode_key).and_then(perms::normalize_mode),
        follow_symlinks,
    }
}

/// Apply a `check_perms` outcome to a return: changes merged, comments joined
/// with "; " after the existing comment, failure propagated.
pub fn merge_perms(r: &mut StateReturn, out: perms::PermsOutcome) {
    for (k, v) in out.changes {
        r.changes.insert(k, v);
    }
    if !out.result {
        r.result = Some(false);
    }
    if !out.comments.is_empty() {
        let mut parts = Vec::new();
        if !r.comment.is_empty() {
            parts.push(r.comment.clone());
        }
        parts.extend(out.comments);
        r.comment = parts.join("; ");
    }
}

/// Salt's `makedirs_perms`: create every missing directory of `path`
/// (inclusive), each with the given ownership and mode.
pub fn makedirs_perms(
    path: &Path,
    user: Option<&str>,
    group: Option<&str>,
    mode: Option<&str>,
) -> std::io::Result<()> {
    if path.is_dir() {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        if !parent.as_os_str().is_empty() && !parent.exists() {
            makedirs_perms(parent, user, group, mode)?;
        }
    }
    std::fs::create_dir(path)?;
    let spec = PermsSpec {
        user: user.map(str::to_string),
        group: group.map(str::to_string),
        mode: mode.map(str::to_string),
        follow_symlinks: true,
    };
    perms::check_perms(path, &spec, false).map(|_| ())
}

/// `show_changes` (default True).
pub fn show_changes(call: &StateCall<'_>) -> bool {
    call.get_bool("show_changes", true)
}

/// Turn a value into text the way Salt's `_validate_str_list` does.
pub fn str_parts(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| halite_api::py::str_of(i))
            })
            .collect(),
        other => vec![halite_api::module::value_to_arg_string(other)],
    }
}
